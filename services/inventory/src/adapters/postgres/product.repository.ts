import { sql, type Kysely } from "kysely";
import type { ProductStore, RestockOutcome } from "../../app/product-store.port";
import type { Product } from "../../domain/product";
import type { InventoryTables } from "./inventory.tables";

/** The columns of a product, renamed to the domain's field names. */
export const productColumns = ["sku", "name", "price_cents as priceCents", "currency", "stock"] as const;

export class PostgresProductStore implements ProductStore {
  constructor(private readonly db: Kysely<InventoryTables>) {}

  async insert(product: Product): Promise<Product | undefined> {
    return this.db
      .insertInto("products")
      .values({
        sku: product.sku,
        name: product.name,
        price_cents: product.priceCents,
        currency: product.currency,
        stock: product.stock,
      })
      .onConflict((oc) => oc.column("sku").doNothing())
      .returning(productColumns)
      .executeTakeFirst();
  }

  async find(sku: string): Promise<Product | undefined> {
    return this.db.selectFrom("products").select(productColumns).where("sku", "=", sku).executeTakeFirst();
  }

  async findMany(skus: readonly string[]): Promise<Product[]> {
    return this.db
      .selectFrom("products")
      .select(productColumns)
      .where(sql<boolean>`sku = any(${skus}::text[])`)
      .execute();
  }

  async listAfter(afterSku: string | undefined, limit: number): Promise<Product[]> {
    let query = this.db.selectFrom("products").select(productColumns).orderBy("sku").limit(limit);
    if (afterSku !== undefined) query = query.where("sku", ">", afterSku);
    return query.execute();
  }

  async addStock(sku: string, quantity: number, maxStock: number): Promise<RestockOutcome> {
    // One conditional UPDATE: the ceiling is checked against the row as locked, not as read earlier.
    const product = await this.db
      .updateTable("products")
      .set({ stock: sql<number>`stock + ${quantity}`, updated_at: sql<Date>`now()` })
      .where("sku", "=", sku)
      .where(sql<boolean>`stock + ${quantity} <= ${maxStock}`)
      .returning(productColumns)
      .executeTakeFirst();
    if (product !== undefined) return { kind: "restocked", product };
    // Nothing updated: tell a missing product from a full one.
    return (await this.find(sku)) === undefined ? { kind: "not_found" } : { kind: "over_limit" };
  }
}
