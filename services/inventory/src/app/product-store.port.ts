import type { Product } from "../domain/product";

export type RestockOutcome =
  | { readonly kind: "restocked"; readonly product: Product }
  | { readonly kind: "not_found" }
  | { readonly kind: "over_limit" };

/** Where products live. Implemented by the Postgres adapter; faked with object literals in unit tests. */
export interface ProductStore {
  /** Adds the product; resolves undefined when its sku is already taken (nothing is changed then). */
  insert(product: Product): Promise<Product | undefined>;
  find(sku: string): Promise<Product | undefined>;
  /** The existing products among `skus`, in any order. */
  findMany(skus: readonly string[]): Promise<Product[]>;
  /** Up to `limit` products with sku greater than `afterSku` (all when undefined), in sku order. */
  listAfter(afterSku: string | undefined, limit: number): Promise<Product[]>;
  /** Adds `quantity` to the stock atomically, unless the result would exceed `maxStock`. */
  addStock(sku: string, quantity: number, maxStock: number): Promise<RestockOutcome>;
}
