import { Type } from "typebox";

/**
 * `?limit&cursor`. Query values arrive as strings and the validator never coerces types (so a body's
 * `"2"` is not silently a 2), hence `limit` is a string of digits that the route parses.
 */
export const PageQuerySchema = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: "^(?:[1-9][0-9]?|100)$", default: "20", description: "page size, an integer from 1 to 100" }),
    ),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: "nextCursor of the previous page" })),
  },
  { additionalProperties: false },
);

export const DEFAULT_PAGE_SIZE = 20;

/** The page size a validated `limit` asks for. */
export const pageSize = (limit: string | undefined): number => (limit === undefined ? DEFAULT_PAGE_SIZE : Number(limit));
