import { sql, type Kysely, type Selectable } from "kysely";
import type { ChargeLedger } from "../../app/charge-ledger.port";
import type { ChargeRecord, ChargeRequest } from "../../domain/charge";
import type { ChargesTable, PaymentTables } from "./payment.tables";

const UNIQUE_VIOLATION = "23505";

type ChargeRow = Pick<
  Selectable<ChargesTable>,
  "order_id" | "customer_id" | "amount_cents" | "currency" | "status" | "charge_id"
>;

const toRecord = (row: ChargeRow): ChargeRecord => ({
  orderId: row.order_id,
  customerId: row.customer_id,
  amountCents: row.amount_cents,
  currency: row.currency,
  status: row.status,
  chargeId: row.charge_id,
});

/**
 * Locks are always taken wallet first, then the order's charge row, in Charge and Refund alike,
 * so the two can never deadlock each other.
 */
export class PostgresChargeLedger implements ChargeLedger {
  constructor(private readonly db: Kysely<PaymentTables>) {}

  /**
   * The hot path of every order, in one statement (one round trip, its own transaction):
   * - `existing`: a repeat finds the first outcome and touches nothing else.
   * - `debit`: the conditional UPDATE of the balance in the order's currency (no other) that can
   *   never take it below zero; a customer holding none of that currency has no row to debit. It *is* the
   *   decision: the order is charged exactly when this row was debited, so a charge can never be
   *   recorded without its debit (deciding first and debiting after could disagree under concurrent
   *   updates of the wallet).
   * - `claim`: the order's row, charged or declined by that outcome. A concurrent call for the same
   *   order that committed first makes this INSERT fail on the primary key, which rolls the whole
   *   statement back — debit included — and the caller then reads the winner's outcome.
   */
  async chargeOnce({ orderId, customerId, amountCents, currency }: ChargeRequest): Promise<ChargeRecord> {
    try {
      const { rows } = await sql<ChargeRow>`
        WITH existing AS (
          SELECT order_id, customer_id, amount_cents, currency, status, charge_id FROM charges WHERE order_id = ${orderId}
        ),
        debit AS (
          UPDATE wallets SET balance_cents = balance_cents - ${amountCents}, updated_at = now()
          WHERE customer_id = ${customerId} AND currency = ${currency} AND balance_cents >= ${amountCents}
            AND NOT EXISTS (SELECT 1 FROM existing)
          RETURNING customer_id, currency
        ),
        claim AS (
          INSERT INTO charges (order_id, customer_id, amount_cents, currency, status, charge_id)
          SELECT ${orderId}::text, ${customerId}::text, ${amountCents}::bigint, ${currency}::text,
                 CASE WHEN EXISTS (SELECT 1 FROM debit) THEN 'charged' ELSE 'declined' END,
                 CASE WHEN EXISTS (SELECT 1 FROM debit) THEN gen_random_uuid() END
          WHERE NOT EXISTS (SELECT 1 FROM existing)
          RETURNING order_id, customer_id, amount_cents, currency, status, charge_id
        ),
        entry AS (
          INSERT INTO wallet_entries (customer_id, currency, kind, amount_cents, order_id)
          SELECT customer_id, currency, 'charge', ${amountCents}::bigint, ${orderId}::text FROM debit
        )
        SELECT * FROM claim
        UNION ALL
        SELECT * FROM existing
      `.execute(this.db);
      if (rows[0]) return toRecord(rows[0]);
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    }
    // Lost the race to a call for the same order: its row is committed and rows are never deleted.
    const row = await this.find(orderId);
    if (!row) throw new Error(`charge row of order ${orderId} conflicted but cannot be read`);
    return toRecord(row);
  }

  /**
   * The money goes back to the balance it was taken from: the charge's own currency.
   * Leaves the tombstone first: once the order has a row (ours, or a concurrent charge's that we
   * waited for), the refund statement, on a fresh snapshot, sees whatever charge there is.
   * Doing it the other way round could miss a charge committing in between.
   */
  async refund(orderId: string): Promise<boolean> {
    const tombstone = await this.db
      .insertInto("charges")
      .values({ order_id: orderId, customer_id: null, amount_cents: 0, status: "voided" })
      .onConflict((oc) => oc.column("order_id").doNothing())
      .returning("order_id")
      .executeTakeFirst();
    if (tombstone) return false;

    const { rows } = await sql<{ refunded: number }>`
      WITH target AS (
        SELECT customer_id FROM wallets
        WHERE (customer_id, currency) = (SELECT customer_id, currency FROM charges WHERE order_id = ${orderId} AND status = 'charged')
        FOR UPDATE
      ),
      refunded AS (
        UPDATE charges SET status = 'refunded', updated_at = now()
        WHERE order_id = ${orderId} AND status = 'charged' AND EXISTS (SELECT 1 FROM target)
        RETURNING order_id, customer_id, currency, amount_cents
      ),
      credited AS (
        UPDATE wallets SET balance_cents = wallets.balance_cents + refunded.amount_cents, updated_at = now()
        FROM refunded WHERE wallets.customer_id = refunded.customer_id AND wallets.currency = refunded.currency
      ),
      entry AS (
        INSERT INTO wallet_entries (customer_id, currency, kind, amount_cents, order_id)
        SELECT customer_id, currency, 'refund', amount_cents, order_id FROM refunded
      )
      SELECT count(*)::int AS refunded FROM refunded
    `.execute(this.db);
    return (rows[0]?.refunded ?? 0) > 0;
  }

  private async find(orderId: string): Promise<ChargeRow | undefined> {
    return this.db
      .selectFrom("charges")
      .select(["order_id", "customer_id", "amount_cents", "currency", "status", "charge_id"])
      .where("order_id", "=", orderId)
      .executeTakeFirst();
  }
}
