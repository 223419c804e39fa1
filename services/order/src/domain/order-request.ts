import { accepted, rejected, type Checked } from "@qc/platform/errors";
import { isSubject } from "@qc/platform/identity";
import type { Location } from "./order";
import { orderErrors } from "./order.errors";

export const MAX_LINES = 50;
export const MAX_QUANTITY = 100;

const SKU = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface OrderRequest {
  readonly customerId: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  readonly deliveryLocation: Location | null;
  readonly idempotencyKey: string | null;
  readonly requestHash: string;
}

/** Checks a create-order request against the rules of the input: the request, or the first broken rule. */
export function validateOrderRequest(req: OrderRequest): Checked<OrderRequest> {
  if (!isSubject(req.customerId)) return rejected(orderErrors.invalidCustomer());
  if (req.lines.length === 0) return rejected(orderErrors.noLines());
  if (req.lines.length > MAX_LINES) return rejected(orderErrors.tooManyLines(MAX_LINES));
  const seen = new Set<string>();
  for (const line of req.lines) {
    if (!SKU.test(line.sku)) return rejected(orderErrors.invalidSku(line.sku));
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      return rejected(orderErrors.invalidQuantity(line.sku));
    }
    if (seen.has(line.sku)) return rejected(orderErrors.duplicateSku(line.sku));
    seen.add(line.sku);
  }
  const loc = req.deliveryLocation;
  if (loc && !(Math.abs(loc.lat) <= 90 && Math.abs(loc.lon) <= 180)) return rejected(orderErrors.invalidLocation());
  if (req.idempotencyKey !== null && !IDEMPOTENCY_KEY.test(req.idempotencyKey))
    return rejected(orderErrors.invalidIdempotencyKey());
  return accepted(req);
}
