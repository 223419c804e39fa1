import type { orderV1 } from "@qc/contracts";
import type { CreateOrderBody } from "./order.schema";
import { requestHash } from "./request-hash";

/** The CreateOrder call for a customer's validated body. Prices are left 0: Inventory sets them. */
export function toCreateOrderRequest(
  customerId: string,
  body: CreateOrderBody,
  idempotencyKey: string | undefined,
  waitMs: number,
): orderV1.CreateOrderRequest {
  return {
    customerId,
    items: body.items.map(({ sku, quantity }) => ({ sku, quantity, priceCents: 0 })),
    deliveryLocation: body.deliveryLocation && { lat: body.deliveryLocation.lat, lon: body.deliveryLocation.lon },
    idempotencyKey: idempotencyKey ?? "",
    requestHash: requestHash(body),
    waitMs,
  };
}
