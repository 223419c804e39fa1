import { CURRENCY_PATTERN } from "@qc/platform/money";
import { Type, type Static } from "typebox";

export const SkuSchema = Type.String({
  pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
  description: "stock keeping unit",
});

export const ProductSchema = Type.Object({
  sku: SkuSchema,
  name: Type.String(),
  priceCents: Type.Integer({ description: "unit price in cents" }),
  currency: Type.String({ description: "ISO 4217 code" }),
  stock: Type.Integer({ description: "units on hand" }),
});
export type ProductView = Static<typeof ProductSchema>;

export const ProductPageSchema = Type.Object({
  items: Type.Array(ProductSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "null on the last page" }),
});

export const SkuParamsSchema = Type.Object({ sku: SkuSchema }, { additionalProperties: false });

export const CreateProductBodySchema = Type.Object(
  {
    sku: SkuSchema,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    priceCents: Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: "0 for a free item" }),
    currency: Type.String({ pattern: CURRENCY_PATTERN, description: "ISO 4217 code, e.g. EUR" }),
    stock: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);

export const RestockBodySchema = Type.Object(
  { quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) },
  { additionalProperties: false },
);
