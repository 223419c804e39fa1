import { accepted, rejected, type Checked } from "@qc/platform/errors";
import { mixedCurrencies, orderReleased, outOfStock, productNotFound, reservationMismatch } from "./inventory.errors";
import type { Product } from "./product";
import {
  summarize,
  type Deduction,
  type DeductionRequest,
  type Reservation,
  type ReservedLine,
  type StockLine,
} from "./stock-deduction";

/**
 * Decides a first deduction against the current (locked) products: every sku must exist, every
 * line must be covered by stock, and the order must be in one currency. Prices are captured here.
 */
export function planDeduction(lines: readonly StockLine[], products: readonly Product[]): Checked<ReservedLine[]> {
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const missing: string[] = [];
  const short: string[] = [];
  const priced: ReservedLine[] = [];
  for (const { sku, quantity } of lines) {
    const product = bySku.get(sku);
    if (product === undefined) {
      missing.push(sku);
      continue;
    }
    if (product.stock < quantity) short.push(sku);
    priced.push({ sku, quantity, unitPriceCents: product.priceCents, currency: product.currency });
  }
  if (missing.length > 0) return rejected(productNotFound(missing));
  if (short.length > 0) return rejected(outOfStock(short));
  const currencies = [...new Set(priced.map((l) => l.currency))];
  if (currencies.length > 1) return rejected(mixedCurrencies(currencies));
  return accepted(priced);
}

/**
 * What a DeductStock answers for an order the ledger already holds: the first result again, unless
 * the order was compensated meanwhile or the repeat asks for different items.
 */
export function replayDeduction(request: DeductionRequest, existing: Reservation): Checked<Deduction> {
  if (existing.status === "released") return rejected(orderReleased(request.orderId));
  if (!sameLines(request.lines, existing.lines)) return rejected(reservationMismatch(request.orderId));
  return accepted(summarize(existing.lines));
}

/** Same skus with the same quantities; both sides are in sku order. */
function sameLines(a: readonly StockLine[], b: readonly StockLine[]): boolean {
  return a.length === b.length && a.every((l, i) => l.sku === b[i]?.sku && l.quantity === b[i]?.quantity);
}
