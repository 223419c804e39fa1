import { accepted, rejected, type Checked } from "@qc/platform/errors";
import { invalidInput, invalidSku } from "./inventory.errors";
import { charCount, hasControlCharacters, isIntegerIn, isSku } from "./product";

export interface StockLine {
  readonly sku: string;
  readonly quantity: number;
}

/** A deducted line with the unit price captured when it was deducted. */
export interface ReservedLine extends StockLine {
  readonly unitPriceCents: number;
  readonly currency: string;
}

/** What a DeductStock answers, first time and on every repeat. */
export interface Deduction {
  readonly lines: readonly ReservedLine[];
  readonly totalCents: number;
  readonly currency: string;
}

export type ReservationStatus = "reserved" | "released";

/** An order's entry in the reservation ledger. A released entry without lines is a tombstone. */
export interface Reservation {
  readonly status: ReservationStatus;
  readonly lines: readonly ReservedLine[];
}

/** A valid DeductStock request: duplicate skus merged, lines in sku order. */
export interface DeductionRequest {
  readonly orderId: string;
  readonly lines: readonly StockLine[];
}

export const MAX_LINES = 50;
export const MAX_LINE_QUANTITY = 10_000;
export const MAX_ORDER_ID_LENGTH = 64;

export function parseOrderId(orderId: string): Checked<string> {
  if (orderId === "" || charCount(orderId) > MAX_ORDER_ID_LENGTH || hasControlCharacters(orderId)) {
    return rejected(invalidInput("INVALID_ORDER_ID", `order_id must be 1-${MAX_ORDER_ID_LENGTH} printable characters`));
  }
  return accepted(orderId);
}

/**
 * Validates a DeductStock request. Lines for the same sku are merged (quantities added), so
 * `[a×1, a×2]` and `[a×3]` are the same request; the merged quantity obeys the per-line limit too.
 * Lines come out sorted by sku: the order the ledger stores them and the order rows get locked in.
 */
export function parseDeductionRequest(orderId: string, items: readonly StockLine[]): Checked<DeductionRequest> {
  const id = parseOrderId(orderId);
  if (!id.ok) return id;
  if (items.length === 0) return rejected(invalidInput("NO_ITEMS", "at least one item is required"));
  if (items.length > MAX_LINES) {
    return rejected(invalidInput("TOO_MANY_ITEMS", `at most ${MAX_LINES} items per order, got ${items.length}`));
  }
  const merged = new Map<string, number>();
  for (const { sku, quantity } of items) {
    if (!isSku(sku)) return rejected(invalidSku(sku));
    const total = (merged.get(sku) ?? 0) + quantity;
    if (!isIntegerIn(quantity, 1, MAX_LINE_QUANTITY) || total > MAX_LINE_QUANTITY) {
      return rejected(
        invalidInput("INVALID_QUANTITY", `quantity of ${sku} must be an integer from 1 to ${MAX_LINE_QUANTITY}`),
      );
    }
    merged.set(sku, total);
  }
  const lines = [...merged].map(([sku, quantity]) => ({ sku, quantity })).sort((a, b) => compareSkus(a.sku, b.sku));
  return accepted({ orderId, lines });
}

/** Byte order, which for skus (ASCII only) matches Postgres' "C" collation on products.sku. */
export const compareSkus = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function summarize(lines: readonly ReservedLine[]): Deduction {
  return {
    lines,
    totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
    // planDeduction guarantees a single currency per order.
    currency: lines[0]?.currency ?? "",
  };
}
