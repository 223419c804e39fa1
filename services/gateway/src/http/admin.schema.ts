import { Type } from "typebox";
import { subjectPattern } from "../auth/principal";

export const CustomerIdParamsSchema = Type.Object(
  { customerId: Type.String({ pattern: subjectPattern }) },
  { additionalProperties: false },
);

export const CreditBodySchema = Type.Object(
  { amountCents: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }) },
  { additionalProperties: false },
);

export const WalletSchema = Type.Object({ customerId: Type.String(), balanceCents: Type.Integer() });

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
