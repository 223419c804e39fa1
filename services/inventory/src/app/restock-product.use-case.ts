import { valueOrThrow } from "@qc/platform/errors";
import { productNotFound, stockLimit } from "../domain/inventory.errors";
import { MAX_STOCK, parseRestock, type Product } from "../domain/product";
import type { Catalog } from "./catalog.port";
import type { ProductStore } from "./product-store.port";

/** Adds units to a product's stock, up to MAX_STOCK (STOCK_LIMIT above it). */
export class RestockProduct {
  constructor(
    private readonly products: Pick<ProductStore, "addStock">,
    private readonly catalog: Pick<Catalog, "changed">,
  ) {}

  async execute(sku: string, quantity: number): Promise<Product> {
    const restock = valueOrThrow(parseRestock(sku, quantity));
    const outcome = await this.products.addStock(restock.sku, restock.quantity, MAX_STOCK);
    if (outcome.kind === "not_found") throw productNotFound([restock.sku]);
    if (outcome.kind === "over_limit") throw stockLimit(restock.sku, MAX_STOCK);
    await this.catalog.changed([restock.sku]);
    return outcome.product;
  }
}
