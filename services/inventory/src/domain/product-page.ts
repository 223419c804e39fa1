import { accepted, rejected, type Checked } from "@qc/platform/errors";
import { invalidInput } from "./inventory.errors";
import { isSku, type Product } from "./product";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** One keyset page: up to `limit` products with sku greater than `afterSku`, in sku order. */
export interface PageRequest {
  readonly limit: number;
  readonly afterSku: string | undefined;
}

export interface ProductPage {
  readonly products: readonly Product[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}

// The token is opaque to callers; the prefix versions it so its shape can change later.
const TOKEN_PREFIX = "after:";

export function pageTokenAfter(sku: string): string {
  return Buffer.from(`${TOKEN_PREFIX}${sku}`, "utf8").toString("base64url");
}

/**
 * page_size 0 means the default and sizes above the maximum are lowered to it (as AIP-158 asks);
 * a negative size or a token this service did not issue is invalid.
 */
export function parsePageRequest(pageSize: number, pageToken: string): Checked<PageRequest> {
  if (!Number.isSafeInteger(pageSize) || pageSize < 0) {
    return rejected(invalidInput("INVALID_PAGE_SIZE", "page_size must not be negative"));
  }
  const limit = pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
  if (pageToken === "") return accepted({ limit, afterSku: undefined });
  const decoded = Buffer.from(pageToken, "base64url").toString("utf8");
  const sku = decoded.startsWith(TOKEN_PREFIX) ? decoded.slice(TOKEN_PREFIX.length) : "";
  // Re-encoding must give the token back: base64url decoding alone accepts many near-misses.
  if (!isSku(sku) || pageTokenAfter(sku) !== pageToken) {
    return rejected(invalidInput("INVALID_PAGE_TOKEN", "page_token is not one this service issued"));
  }
  return accepted({ limit, afterSku: sku });
}

/** Builds a page from up to `limit + 1` rows: the extra row only says that another page exists. */
export function toPage(rows: readonly Product[], limit: number): ProductPage {
  const products = rows.slice(0, limit);
  const last = products[products.length - 1];
  return { products, nextPageToken: rows.length > limit && last !== undefined ? pageTokenAfter(last.sku) : "" };
}
