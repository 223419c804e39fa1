import { sql, type Kysely, type Transaction } from "kysely";
import type { StockLedger, StockLedgerTransaction } from "../../app/stock-ledger.port";
import type { Product } from "../../domain/product";
import type { Reservation, ReservationStatus, ReservedLine } from "../../domain/stock-deduction";
import type { InventoryTables } from "./inventory.tables";
import { productColumns } from "./product.repository";

/**
 * The stock ledger on Postgres at READ COMMITTED. A DeductStock costs five round trips: BEGIN,
 * claim the order, lock the products, deduct and record the lines in one statement, COMMIT.
 */
export class PostgresStockLedger implements StockLedger {
  constructor(private readonly db: Kysely<InventoryTables>) {}

  async transaction<T>(work: (tx: StockLedgerTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new PostgresStockLedgerTransaction(trx)));
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

  async deduct(orderId: string, lines: readonly ReservedLine[]): Promise<void> {
    // One statement for every line: take the stock and record what was taken. The rows are locked
    // and were checked, so `stock >= quantity` only guards against a caller that skipped the check;
    // the count below turns such a slip into a rollback rather than a partial deduction.
    const result = await sql`
      WITH wanted AS (
        SELECT * FROM unnest(
          ${lines.map((l) => l.sku)}::text[],
          ${lines.map((l) => l.quantity)}::bigint[],
          ${lines.map((l) => l.unitPriceCents)}::bigint[],
          ${lines.map((l) => l.currency)}::text[]
        ) AS w (sku, quantity, unit_price_cents, currency)
      ), taken AS (
        UPDATE products p SET stock = p.stock - w.quantity, updated_at = now()
        FROM wanted w
        WHERE p.sku = w.sku AND p.stock >= w.quantity
        RETURNING p.sku
      )
      INSERT INTO reservation_lines (order_id, sku, quantity, unit_price_cents, currency)
      SELECT ${orderId}, w.sku, w.quantity, w.unit_price_cents, w.currency
      FROM wanted w JOIN taken t ON t.sku = w.sku
    `.execute(this.trx);
    if (Number(result.numAffectedRows ?? 0) !== lines.length) {
      throw new Error(`deduction for order ${orderId} covered ${String(result.numAffectedRows)} of ${lines.length} lines`);
    }
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
