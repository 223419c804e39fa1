import { Type } from "typebox";

/** `?limit&cursor`; `limit` is an integer in the query (see query-integers.ts). */
export const PageQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: "page size" })),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 512, description: "nextCursor of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

export const DEFAULT_PAGE_SIZE = 20;

/** The page size a validated `limit` asks for. */
export const pageSize = (limit: number | undefined): number => limit ?? DEFAULT_PAGE_SIZE;
