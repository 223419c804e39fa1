import { CURRENCY_RULE, isCurrency } from "@qc/platform/money";
import { accepted, rejected, type Checked } from "@qc/platform/errors";
import { invalidInput, invalidSku, shown } from "./inventory.errors";

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly stock: number;
}

export const MAX_PRICE_CENTS = 1_000_000_000;
export const MAX_STOCK = 1_000_000_000;
export const MAX_NAME_LENGTH = 200;
/** Most skus one BatchGetProducts may ask for. */
export const MAX_BATCH_SKUS = 100;

const SKU = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
// Postgres TEXT refuses NUL, and no name or id needs control characters; rejecting them here keeps
// such input a 400 instead of a database error.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Integers in [min, max]; also rules out NaN, fractions and values beyond 2^53. */
export const isIntegerIn = (n: number, min: number, max: number): boolean =>
  Number.isSafeInteger(n) && n >= min && n <= max;

/** Length in characters (code points), so a name of 200 emoji is 200 long, not 400. */
export const charCount = (s: string): number => [...s].length;

export const hasControlCharacters = (s: string): boolean => CONTROL.test(s);

export const isSku = (sku: string): boolean => SKU.test(sku);

export function parseSku(sku: string): Checked<string> {
  return isSku(sku) ? accepted(sku) : rejected(invalidSku(sku));
}

export function parseNewProduct(input: Product): Checked<Product> {
  const { sku, name, priceCents, currency, stock } = input;
  if (!isSku(sku)) return rejected(invalidSku(sku));
  if (name.trim() === "" || charCount(name) > MAX_NAME_LENGTH || hasControlCharacters(name)) {
    return rejected(invalidInput("INVALID_NAME", `name must be 1-${MAX_NAME_LENGTH} printable characters, not blank`));
  }
  if (!isIntegerIn(priceCents, 0, MAX_PRICE_CENTS)) {
    return rejected(invalidInput("INVALID_PRICE", `price_cents must be an integer from 0 to ${MAX_PRICE_CENTS}`));
  }
  if (!isCurrency(currency)) {
    return rejected(invalidInput("INVALID_CURRENCY", `currency ${shown(currency)} must be ${CURRENCY_RULE}`));
  }
  if (!isIntegerIn(stock, 0, MAX_STOCK)) {
    return rejected(invalidInput("INVALID_STOCK", `stock must be an integer from 0 to ${MAX_STOCK}`));
  }
  return accepted({ sku, name, priceCents, currency, stock });
}

export interface Restock {
  readonly sku: string;
  readonly quantity: number;
}

export function parseRestock(sku: string, quantity: number): Checked<Restock> {
  if (!isSku(sku)) return rejected(invalidSku(sku));
  if (!isIntegerIn(quantity, 1, MAX_STOCK)) {
    return rejected(invalidInput("INVALID_QUANTITY", `restock quantity must be an integer from 1 to ${MAX_STOCK}`));
  }
  return accepted({ sku, quantity });
}

/** The distinct skus asked for, in the order first asked. */
export function parseSkuList(skus: readonly string[]): Checked<string[]> {
  const distinct = [...new Set(skus)];
  if (distinct.length > MAX_BATCH_SKUS) {
    return rejected(invalidInput("TOO_MANY_SKUS", `at most ${MAX_BATCH_SKUS} skus per call, got ${distinct.length}`));
  }
  const bad = distinct.find((s) => !isSku(s));
  return bad === undefined ? accepted(distinct) : rejected(invalidSku(bad));
}
