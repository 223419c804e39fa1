import { valueOrThrow } from "@qc/platform/errors";
import { productExists } from "../domain/inventory.errors";
import { parseNewProduct, type Product } from "../domain/product";
import type { Catalog } from "./catalog.port";
import type { ProductStore } from "./product-store.port";

/** Adds a product to the catalog; PRODUCT_EXISTS when its sku is taken. */
export class CreateProduct {
  constructor(
    private readonly products: Pick<ProductStore, "insert">,
    private readonly catalog: Pick<Catalog, "changed">,
  ) {}

  async execute(input: Product): Promise<Product> {
    const product = valueOrThrow(parseNewProduct(input));
    const created = await this.products.insert(product);
    if (created === undefined) throw productExists(product.sku);
    await this.catalog.changed([created.sku]);
    return created;
  }
}
