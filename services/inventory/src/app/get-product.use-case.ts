import { valueOrThrow } from "@qc/platform/errors";
import { productNotFound } from "../domain/inventory.errors";
import { parseSku, type Product } from "../domain/product";
import type { Catalog } from "./catalog.port";

/** One product, read through the (cached) catalog; PRODUCT_NOT_FOUND when there is none. */
export class GetProduct {
  constructor(private readonly catalog: Pick<Catalog, "find">) {}

  async execute(sku: string): Promise<Product> {
    const found = await this.catalog.find(valueOrThrow(parseSku(sku)));
    if (found === undefined) throw productNotFound([sku]);
    return found;
  }
}
