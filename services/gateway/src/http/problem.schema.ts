import { Type, type Static } from "typebox";
import { OrderSchema } from "./order.schema";

export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/** RFC 9457 problem details, with the platform's stable `code` and, for a failed order, the order. */
export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String({ description: "stable machine-readable code, e.g. OUT_OF_STOCK" }),
  detail: Type.String(),
  instance: Type.Optional(Type.String()),
  order: Type.Optional(OrderSchema),
  unavailable: Type.Optional(Type.Array(Type.String(), { description: "upstreams that are down" })),
});
export type Problem = Static<typeof ProblemSchema>;

const descriptions = {
  400: "invalid input: VALIDATION_FAILED, MALFORMED_JSON, or a service's own check such as INVALID_LOCATION or INVALID_PAGE_TOKEN (a page cursor it never handed out)",
  401: "UNAUTHENTICATED: missing, invalid or expired bearer token",
  402: "PAYMENT_DECLINED (the failed order is included)",
  403: "FORBIDDEN: the token's role (or, for a rider's own resources, its subject) may not do this",
  404: "not found",
  409: "conflict or business refusal, e.g. OUT_OF_STOCK (the failed order is included), ORDER_NOT_DELIVERABLE",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE: send application/json",
  422: "UNKNOWN_SKU, IDEMPOTENCY_KEY_REUSED, or an order that can never succeed: MIXED_CURRENCIES, ORDER_TOTAL_TOO_LARGE (checked before it is written), REJECTED (refused for certain by a service; the failed order is included)",
  429: "RATE_LIMITED (see Retry-After), or TOO_MANY_STREAMS: the caller has as many event streams open as it may",
  500: "INTERNAL",
  503: "a dependency is unavailable (SERVICE_UNAVAILABLE, CIRCUIT_OPEN); see Retry-After",
} as const;
export type ProblemStatus = keyof typeof descriptions;

interface ProblemResponse {
  readonly description: string;
  readonly content: { readonly [PROBLEM_MEDIA_TYPE]: { readonly schema: typeof ProblemSchema } };
}

/** Response schemas for the error statuses a route can answer (500 always), for OpenAPI and serialization. */
export function problemResponses<const S extends readonly ProblemStatus[]>(
  ...statuses: S
): { [K in S[number] | 500]: ProblemResponse } {
  const responses: Partial<Record<ProblemStatus, ProblemResponse>> = {};
  for (const status of [...statuses, 500 as const]) {
    responses[status] = {
      description: descriptions[status],
      content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } },
    };
  }
  return responses as { [K in S[number] | 500]: ProblemResponse };
}
