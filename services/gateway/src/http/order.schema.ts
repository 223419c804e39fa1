import { Type, type Static } from "typebox";
import { SkuSchema } from "./product.schema";

const LocationSchema = Type.Object(
  { lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) },
  { additionalProperties: false },
);

export const OrderStatusSchema = Type.Enum(["PENDING", "CONFIRMED", "FAILED", "DELIVERED"], { type: "string" });

export const OrderSchema = Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  status: OrderStatusSchema,
  items: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer(), priceCents: Type.Integer() })),
  totalCents: Type.Integer(),
  currency: Type.String(),
  failureReason: Type.Optional(Type.String({ description: "stable code such as OUT_OF_STOCK; only when FAILED" })),
  riderId: Type.Optional(Type.String()),
  deliveryLocation: Type.Optional(LocationSchema),
  createdAt: Type.String({ description: "RFC 3339" }),
  updatedAt: Type.String({ description: "RFC 3339" }),
  history: Type.Array(
    Type.Object({
      step: Type.String(),
      outcome: Type.String(),
      code: Type.String({
        description: "stable code of what happened, e.g. STOCK_RESERVED, PAYMENT_DECLINED, SERVICE_UNAVAILABLE",
      }),
      message: Type.String({ description: "a fixed sentence for the code, for people" }),
      detail: Type.Optional(
        Type.String({ description: "admins only: the raw particulars (ids, the error as raised)" }),
      ),
      at: Type.String({ description: "RFC 3339" }),
    }),
  ),
});
export type OrderView = Static<typeof OrderSchema>;

export const OrderPageSchema = Type.Object({
  items: Type.Array(OrderSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "null on the last page" }),
});

export const CreateOrderBodySchema = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        { sku: SkuSchema, quantity: Type.Integer({ minimum: 1, maximum: 100 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    deliveryLocation: Type.Optional(LocationSchema),
  },
  { additionalProperties: false },
);
export type CreateOrderBody = Static<typeof CreateOrderBodySchema>;

export const IdempotencyHeadersSchema = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: "^[\\x21-\\x7E]+$",
      description: "makes the request safe to repeat: the same key and body return the first answer",
    }),
  ),
});

export const OrderIdParamsSchema = Type.Object(
  { id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,128}$" }) },
  { additionalProperties: false },
);
