import type { Product } from "../domain/product";

/**
 * Product reads as the use cases make them, and the notice a write gives after it committed.
 * Implemented by CachedCatalog (reads through the catalog cache); faked in unit tests.
 */
export interface Catalog {
  find(sku: string): Promise<Product | undefined>;
  /** The existing products among `skus`, in any order. */
  findMany(skus: readonly string[]): Promise<Product[]>;
  /** Up to `limit` products with sku greater than `afterSku` (all when undefined), in sku order. */
  listAfter(afterSku: string | undefined, limit: number): Promise<Product[]>;
  /** Called after a committed write created these products or changed their stock; never fails. */
  changed(skus: readonly string[]): Promise<void>;
}
