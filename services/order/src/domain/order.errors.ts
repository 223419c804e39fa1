import { conflict, invalid, notFound, refused, type AppError } from "@qc/platform/errors";

/** Stable codes of the order service's own refusals. */
export const orderErrors = {
  invalidCustomer: (): AppError => invalid("INVALID_CUSTOMER_ID", "customer id is missing or malformed"),
  invalidSku: (sku: string): AppError => invalid("INVALID_SKU", `sku ${JSON.stringify(sku.slice(0, 80))} is malformed`),
  invalidQuantity: (sku: string): AppError =>
    invalid("INVALID_QUANTITY", `quantity of ${sku} must be an integer from 1 to 100`),
  noLines: (): AppError => invalid("NO_LINES", "an order needs at least one line"),
  tooManyLines: (max: number): AppError => invalid("TOO_MANY_LINES", `an order has at most ${max} lines`),
  duplicateSku: (sku: string): AppError => invalid("DUPLICATE_SKU", `sku ${sku} appears on more than one line`),
  invalidLocation: (): AppError => invalid("INVALID_LOCATION", "lat must be within -90..90 and lon within -180..180"),
  invalidIdempotencyKey: (): AppError =>
    invalid("INVALID_IDEMPOTENCY_KEY", "idempotency key must be 1 to 255 visible ASCII characters"),
  unknownSku: (skus: readonly string[]): AppError => invalid("UNKNOWN_SKU", `unknown sku: ${skus.join(", ")}`),
  mixedCurrencies: (currencies: readonly string[]): AppError =>
    invalid(
      "MIXED_CURRENCIES",
      `one order cannot mix currencies (${currencies.join(", ")}); place one order per currency`,
    ),
  orderTotalTooLarge: (totalCents: number, maxCents: number): AppError =>
    invalid(
      "ORDER_TOTAL_TOO_LARGE",
      `the order's total of ${totalCents} cents is above the ${maxCents} one payment may be`,
    ),
  idempotencyKeyReused: (): AppError =>
    conflict("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was already used with a different request"),
  orderNotFound: (id: string): AppError => notFound("ORDER_NOT_FOUND", `order ${id} not found`),
  invalidOrderId: (id: string): AppError =>
    invalid("INVALID_ORDER_ID", `order id ${JSON.stringify(id.slice(0, 80))} is not a UUID`),
  tooManyOrderIds: (max: number, got: number): AppError =>
    invalid("TOO_MANY_ORDER_IDS", `at most ${max} order ids per call, got ${got}`),
  deadLetterNotFound: (id: string): AppError => notFound("DEAD_LETTER_NOT_FOUND", `dead letter ${id} not found`),
  deadLetterStillFailing: (detail: string): AppError =>
    refused("DEAD_LETTER_STILL_FAILING", `the compensation still fails: ${detail}`),
  invalidPageToken: (): AppError => invalid("INVALID_PAGE_TOKEN", "page token is malformed"),
  invalidStatus: (): AppError =>
    invalid("INVALID_STATUS", "status must be PENDING, CONFIRMED, FAILED or DELIVERED (or none for any)"),
  riderBusy: (riderId: string, activeOrderId: string): AppError =>
    conflict("RIDER_BUSY", `rider ${riderId} still carries order ${activeOrderId}; re-asserted to the rider service`),
  riderNotReleased: (id: string, riderId: string | null): AppError =>
    refused("RIDER_NOT_RELEASED", `the rider service freed no rider for order ${id} (rider ${riderId ?? "unknown"})`),
  notDeliverable: (id: string, status: string): AppError =>
    refused("ORDER_NOT_DELIVERABLE", `order ${id} is ${status}; only a CONFIRMED order with a rider can be delivered`),
};
