import { accepted, rejected, type Checked } from "@qc/platform/errors";
import { MAX_CHARGE_CENTS } from "@qc/platform/money";
import { orderErrors } from "./order.errors";

/** What the catalog says of a sku. Products are never deleted and their price never changes. */
export interface CatalogItem {
  readonly priceCents: number;
  readonly currency: string;
}

/**
 * Why an order can never succeed, judged from the catalog before anything is written (rejected), or
 * accepted when it may. Unknown skus, a mix of currencies (one charge has one currency) and a total above what
 * Payment charges fail every time, so they are refused up front instead of failing in the saga. A
 * total of 0 is fine: the saga confirms it without a charge.
 */
export function checkPayable(
  lines: readonly { sku: string; quantity: number }[],
  catalog: ReadonlyMap<string, CatalogItem>,
): Checked<void> {
  const items = lines.flatMap((l) => {
    const item = catalog.get(l.sku);
    return item ? [{ quantity: l.quantity, ...item }] : [];
  });
  if (items.length < lines.length)
    return rejected(orderErrors.unknownSku(lines.filter((l) => !catalog.has(l.sku)).map((l) => l.sku)));
  const currencies = [...new Set(items.map((i) => i.currency))];
  if (currencies.length > 1) return rejected(orderErrors.mixedCurrencies(currencies));
  const total = items.reduce((sum, i) => sum + i.priceCents * i.quantity, 0);
  if (total > MAX_CHARGE_CENTS) return rejected(orderErrors.orderTotalTooLarge(total, MAX_CHARGE_CENTS));
  return accepted(undefined);
}
