/**
 * How a broken rule is reported. Mirrors the platform's error kinds so the app layer can raise a
 * violation unchanged, while the domain itself depends on nothing.
 */
export type ViolationKind = "invalid" | "not_found" | "conflict" | "refused";

/** Stable codes of every error the inventory service answers with; callers branch on these, never on messages. */
export type InventoryErrorCode =
  | "INVALID_SKU"
  | "INVALID_NAME"
  | "INVALID_PRICE"
  | "INVALID_CURRENCY"
  | "INVALID_STOCK"
  | "INVALID_QUANTITY"
  | "INVALID_ORDER_ID"
  | "INVALID_PAGE_SIZE"
  | "INVALID_PAGE_TOKEN"
  | "PRODUCT_REQUIRED"
  | "NO_ITEMS"
  | "TOO_MANY_ITEMS"
  | "TOO_MANY_SKUS"
  | "STOCK_LIMIT"
  | "PRODUCT_NOT_FOUND"
  | "PRODUCT_EXISTS"
  | "OUT_OF_STOCK"
  | "MIXED_CURRENCIES"
  | "ORDER_RELEASED"
  | "RESERVATION_MISMATCH";

/** A broken rule as a plain value, so domain code needs no error framework. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly code: InventoryErrorCode;
  readonly message: string;
}

/** Parsed input, or the first rule it breaks. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly violation: Violation };

export const accepted = <T>(value: T): Checked<T> => ({ ok: true, value });
export const rejected = (violation: Violation): Checked<never> => ({ ok: false, violation });

// Input is echoed in messages to help the caller, but never at unbounded length.
export const shown = (s: string): string => JSON.stringify(s.length > 70 ? `${s.slice(0, 70)}…` : s);
const list = (skus: readonly string[]): string => skus.join(", ");

export const invalidInput = (code: InventoryErrorCode, message: string): Violation => ({ kind: "invalid", code, message });

export const invalidSku = (sku: string): Violation =>
  invalidInput("INVALID_SKU", `sku ${shown(sku)} must be 1-64 letters, digits, '_' or '-', starting with a letter or digit`);

export const productNotFound = (skus: readonly string[]): Violation => ({
  kind: "not_found",
  code: "PRODUCT_NOT_FOUND",
  message: `no product with sku ${list(skus)}`,
});

export const productExists = (sku: string): Violation => ({
  kind: "conflict",
  code: "PRODUCT_EXISTS",
  message: `a product with sku ${sku} already exists`,
});

export const stockLimit = (sku: string, max: number): Violation =>
  invalidInput("STOCK_LIMIT", `restocking ${sku} would take its stock above ${max}`);

export const outOfStock = (skus: readonly string[]): Violation => ({
  kind: "refused",
  code: "OUT_OF_STOCK",
  message: `out of stock: ${list(skus)}`,
});

export const mixedCurrencies = (currencies: readonly string[]): Violation => ({
  kind: "refused",
  code: "MIXED_CURRENCIES",
  message: `one order cannot mix currencies (${list(currencies)})`,
});

export const orderReleased = (orderId: string): Violation => ({
  kind: "refused",
  code: "ORDER_RELEASED",
  message: `order ${shown(orderId)} was already compensated (AddStock); it cannot deduct stock any more`,
});

export const reservationMismatch = (orderId: string): Violation => ({
  kind: "conflict",
  code: "RESERVATION_MISMATCH",
  message: `order ${shown(orderId)} already deducted different items`,
});
