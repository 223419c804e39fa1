import { sql, type Kysely, type Transaction } from "kysely";
import type { LedgerDeduction, StockLedger, StockLedgerTransaction } from "../../app/stock-ledger.port";
import type { Product } from "../../domain/product";
import type { DeductionRequest, Reservation, ReservationStatus } from "../../domain/stock-deduction";
import type { InventoryTables } from "./inventory.tables";
import { productColumns } from "./product.repository";

/** What the deduct_stock function (migrations/0003_deduct_stock.sql) answers. */
type DeductStockAnswer = { existing: Reservation } | { refused: Product[] } | { deducted: Product[] };

/**
 * The stock ledger on Postgres at READ COMMITTED. A DeductStock is one statement, so one round trip:
 * the deduct_stock function claims the order, locks its products, checks and deducts them.
 */
export class PostgresStockLedger implements StockLedger {
  constructor(private readonly db: Kysely<InventoryTables>) {}

  async transaction<T>(work: (tx: StockLedgerTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new PostgresStockLedgerTransaction(trx)));
  }

  async deductStock(request: DeductionRequest): Promise<LedgerDeduction> {
    const { rows } = await sql<{ outcome: DeductStockAnswer }>`
      SELECT deduct_stock(${request.orderId}, ${request.lines.map((l) => l.sku)}::text[], ${request.lines.map((l) => l.quantity)}::bigint[]) AS outcome
    `.execute(this.db);
    const outcome = rows[0]?.outcome;
    if (outcome === undefined) throw new Error(`deduct_stock answered nothing for order ${request.orderId}`);
    if ("existing" in outcome) return { kind: "existing", reservation: outcome.existing };
    if ("refused" in outcome) return { kind: "refused", products: outcome.refused };
    return { kind: "deducted", products: outcome.deducted };
  }
}

class PostgresStockLedgerTransaction implements StockLedgerTransaction {
  constructor(private readonly trx: Transaction<InventoryTables>) {}

  async claimOrder(orderId: string, status: ReservationStatus): Promise<Reservation | undefined> {
    // ON CONFLICT waits for a concurrent, uncommitted claim of the same order to commit or roll
    // back, which is what serialises calls for one order id.
    const claimed = await this.trx
      .insertInto("reservations")
      .values({ order_id: orderId, status, released_at: status === "released" ? sql<Date>`now()` : null })
      .onConflict((oc) => oc.column("order_id").doNothing())
      .returning("order_id")
      .executeTakeFirst();
    if (claimed !== undefined) return undefined;
    const entry = await this.trx
      .selectFrom("reservations")
      .select("status")
      .where("order_id", "=", orderId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const lines = await this.trx
      .selectFrom("reservation_lines")
      .select(["sku", "quantity", "unit_price_cents as unitPriceCents", "currency"])
      .where("order_id", "=", orderId)
      .orderBy("sku")
      .execute();
    return { status: entry.status, lines };
  }

  async lockProducts(skus: readonly string[]): Promise<Product[]> {
    return this.trx
      .selectFrom("products")
      .select(productColumns)
      .where(sql<boolean>`sku = any(${skus}::text[])`)
      .orderBy("sku")
      .forUpdate()
      .execute();
  }

  async release(orderId: string): Promise<void> {
    await this.trx
      .updateTable("reservations")
      .set({ status: "released", released_at: sql<Date>`now()` })
      .where("order_id", "=", orderId)
      .execute();
    await sql`
      UPDATE products p SET stock = p.stock + l.quantity, updated_at = now()
      FROM reservation_lines l
      WHERE l.order_id = ${orderId} AND p.sku = l.sku
    `.execute(this.trx);
  }
}
