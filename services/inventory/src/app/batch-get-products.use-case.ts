import { valueOrThrow } from "@qc/platform/errors";
import { parseSkuList, type Product } from "../domain/product";
import type { Catalog } from "./catalog.port";

/** The products among `skus` that exist, in the order asked (each once); unknown skus are left out. */
export class BatchGetProducts {
  constructor(private readonly catalog: Pick<Catalog, "findMany">) {}

  async execute(skus: readonly string[]): Promise<Product[]> {
    const wanted = valueOrThrow(parseSkuList(skus));
    if (wanted.length === 0) return [];
    // Only what the catalog answered counts: a hole in its answer is one more unknown sku, not an error.
    const found: (Product | null | undefined)[] = await this.catalog.findMany(wanted);
    const bySku = new Map(found.flatMap((p) => (p ? [[p.sku, p] as const] : [])));
    return wanted.flatMap((sku) => bySku.get(sku) ?? []);
  }
}
