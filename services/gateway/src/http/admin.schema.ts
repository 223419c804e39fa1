import { CURRENCY_PATTERN, DEFAULT_CURRENCY } from "@qc/platform/money";
import { Type } from "typebox";
import { subjectPattern } from "../auth/principal";
import { described } from "./openapi";
import { OrderStatusSchema } from "./order.schema";
import { PageQuerySchema } from "./page.schema";

export const CustomerIdParamsSchema = Type.Object(
  { customerId: Type.String({ pattern: subjectPattern }) },
  { additionalProperties: false },
);

const CurrencySchema = Type.String({ pattern: CURRENCY_PATTERN, description: "ISO 4217 code, e.g. EUR" });

export const CreditBodySchema = Type.Object(
  {
    amountCents: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    currency: Type.Optional(
      described(
        CurrencySchema,
        `the balance credited (a wallet holds one per currency); ${DEFAULT_CURRENCY} when left out`,
      ),
    ),
  },
  { additionalProperties: false },
);

export const WalletSchema = Type.Object(
  {
    customerId: Type.String(),
    currency: CurrencySchema,
    balanceCents: Type.Integer({ description: "the balance in this currency" }),
  },
  { description: "one balance of the customer's wallet" },
);

export const DeadLetterSchema = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  step: Type.String({ description: "the compensation that could not run, e.g. AddStock" }),
  error: Type.String({ description: "the last error of that step" }),
  attempts: Type.Integer(),
  status: Type.String(),
  createdAt: Type.String({ description: "RFC 3339" }),
  updatedAt: Type.String({ description: "RFC 3339" }),
  nextAttemptAt: Type.Optional(Type.String({ description: "RFC 3339; when the background redrive tries again" })),
});

export const DeadLetterIdParamsSchema = Type.Object(
  { id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,128}$" }) },
  { additionalProperties: false },
);

export const CircuitBreakersSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      caller: Type.String(),
      target: Type.String(),
      // A string, not an enum: the order service's entries pass through as it reports them.
      state: Type.String({ description: "closed | open | half-open" }),
    }),
  ),
});

/** `?status&customerId&limit&cursor`: the customers' own page query, narrowed by status and customer. */
export const AdminOrdersQuerySchema = Type.Object(
  {
    ...PageQuerySchema.properties,
    status: Type.Optional(described(OrderStatusSchema, "only orders in this status")),
    customerId: Type.Optional(Type.String({ pattern: subjectPattern, description: "only this customer's orders" })),
  },
  { additionalProperties: false },
);
