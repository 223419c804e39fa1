import { conflict, invalid, notFound, refused, type AppError } from "@qc/platform/errors";

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

/** An inventory error: a value domain checks return (in a `Checked`) and use cases throw. */
export type InventoryError = AppError<InventoryErrorCode>;

// Input is echoed in messages to help the caller, but never at unbounded length.
export const shown = (s: string): string => JSON.stringify(s.length > 70 ? `${s.slice(0, 70)}…` : s);
const list = (skus: readonly string[]): string => skus.join(", ");

export const invalidInput = (code: InventoryErrorCode, message: string): InventoryError => invalid(code, message);

export const invalidSku = (sku: string): InventoryError =>
  invalidInput(
    "INVALID_SKU",
    `sku ${shown(sku)} must be 1-64 letters, digits, '_' or '-', starting with a letter or digit`,
  );

export const productNotFound = (skus: readonly string[]): InventoryError =>
  notFound("PRODUCT_NOT_FOUND", `no product with sku ${list(skus)}`);

export const productExists = (sku: string): InventoryError =>
  conflict("PRODUCT_EXISTS", `a product with sku ${sku} already exists`);

export const stockLimit = (sku: string, max: number): InventoryError =>
  invalidInput("STOCK_LIMIT", `restocking ${sku} would take its stock above ${max}`);

export const outOfStock = (skus: readonly string[]): InventoryError =>
  refused("OUT_OF_STOCK", `out of stock: ${list(skus)}`);

export const mixedCurrencies = (currencies: readonly string[]): InventoryError =>
  refused("MIXED_CURRENCIES", `one order cannot mix currencies (${list(currencies)})`);

export const orderReleased = (orderId: string): InventoryError =>
  refused(
    "ORDER_RELEASED",
    `order ${shown(orderId)} was already compensated (AddStock); it cannot deduct stock any more`,
  );

export const reservationMismatch = (orderId: string): InventoryError =>
  conflict("RESERVATION_MISMATCH", `order ${shown(orderId)} already deducted different items`);
