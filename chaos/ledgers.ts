import { join } from "node:path";
import { openEmbeddedDatabase } from "@qc/platform/db";
import pg from "pg";
import type { AuditLine, HistoryRow, Ledgers } from "./invariants";

/** Runs one SQL statement on one service's database and returns its rows. */
export type Query = <R>(text: string, params?: unknown[]) => Promise<R[]>;

/** A query function per service database (one Postgres database holds all three schemas; embedded, one each). */
export interface ServiceQueries {
  readonly orders: Query;
  readonly inventory: Query;
  readonly payment: Query;
}

/**
 * Reads what the audit needs from each service's own schema. The statements touch one schema each,
 * so they run the same on one Postgres database and on three embedded ones; the joins across
 * services are the audit's (in TypeScript). Amounts are cast to float8: exact well past any run.
 */
export async function readLedgers(q: ServiceQueries): Promise<Ledgers> {
  // One after another: on one Postgres client statements cannot overlap.
  const orders = await q.orders<{
    id: string;
    customer_id: string;
    status: string;
    total_cents: number;
    currency: string;
    rider_id: string | null;
  }>(
    "SELECT id::text AS id, customer_id, status, total_cents::float8 AS total_cents, currency, rider_id FROM orders.orders",
  );
  const lines = await q.orders<{ order_id: string; sku: string; quantity: number }>(
    "SELECT order_id::text AS order_id, sku, quantity::float8 AS quantity FROM orders.order_lines",
  );
  const history = await q.orders<{ order_id: string; step: string; outcome: string; detail: string; at_ms: number }>(
    "SELECT order_id::text AS order_id, step, outcome, detail, (extract(epoch FROM at) * 1000)::float8 AS at_ms FROM orders.order_history ORDER BY id",
  );
  const deadLetters = await q.orders<{ id: string; order_id: string; step: string; status: string; error: string }>(
    "SELECT id::text AS id, order_id::text AS order_id, step, status, error FROM orders.dead_letters",
  );
  const products = await q.inventory<{ sku: string; stock: number }>(
    "SELECT sku, stock::float8 AS stock FROM inventory.products",
  );
  const reservations = await q.inventory<{ order_id: string; status: string; lines: AuditLine[] }>(`
      SELECT r.order_id, r.status,
             coalesce(json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity)) FILTER (WHERE l.sku IS NOT NULL), '[]') AS lines
        FROM inventory.reservations r LEFT JOIN inventory.reservation_lines l ON l.order_id = r.order_id
       GROUP BY r.order_id, r.status`);
  const charges = await q.payment<{
    order_id: string;
    customer_id: string | null;
    amount_cents: number;
    currency: string | null;
    status: string;
  }>("SELECT order_id, customer_id, amount_cents::float8 AS amount_cents, currency, status FROM payment.charges");
  // One row per balance: a wallet holds one per currency, and its entries are in that currency.
  const wallets = await q.payment<{
    customer_id: string;
    currency: string;
    balance: number;
    credited: number;
    charged: number;
    refunded: number;
  }>(`
      SELECT w.customer_id, w.currency, w.balance_cents::float8 AS balance,
             coalesce(sum(e.amount_cents) FILTER (WHERE e.kind = 'credit'), 0)::float8 AS credited,
             coalesce(sum(e.amount_cents) FILTER (WHERE e.kind = 'charge'), 0)::float8 AS charged,
             coalesce(sum(e.amount_cents) FILTER (WHERE e.kind = 'refund'), 0)::float8 AS refunded
        FROM payment.wallets w LEFT JOIN payment.wallet_entries e ON e.customer_id = w.customer_id AND e.currency = w.currency
       GROUP BY w.customer_id, w.currency, w.balance_cents`);
  const linesOf = new Map<string, AuditLine[]>();
  for (const l of lines)
    linesOf.set(l.order_id, [...(linesOf.get(l.order_id) ?? []), { sku: l.sku, quantity: Number(l.quantity) }]);
  const historyOf = new Map<string, HistoryRow[]>();
  for (const h of history) {
    const rows = historyOf.get(h.order_id) ?? [];
    rows.push({ step: h.step, outcome: h.outcome, detail: h.detail, atMs: Number(h.at_ms) });
    historyOf.set(h.order_id, rows);
  }
  return {
    orders: orders.map((o) => ({
      id: o.id,
      customerId: o.customer_id,
      status: o.status,
      totalCents: Number(o.total_cents),
      currency: o.currency,
      riderId: o.rider_id,
      lines: linesOf.get(o.id) ?? [],
    })),
    history: historyOf,
    deadLetters: deadLetters.map((d) => ({
      id: d.id,
      orderId: d.order_id,
      step: d.step,
      status: d.status,
      error: d.error,
    })),
    products: products.map((p) => ({ sku: p.sku, stock: Number(p.stock) })),
    reservations: reservations.map((r) => ({
      orderId: r.order_id,
      status: r.status,
      lines: r.lines.map((l) => ({ sku: l.sku, quantity: Number(l.quantity) })),
    })),
    charges: charges.map((c) => ({
      orderId: c.order_id,
      customerId: c.customer_id,
      amountCents: Number(c.amount_cents),
      currency: c.currency,
      status: c.status,
    })),
    wallets: wallets.map((w) => ({
      customerId: w.customer_id,
      currency: w.currency,
      balanceCents: Number(w.balance),
      creditedCents: Number(w.credited),
      chargedCents: Number(w.charged),
      refundedCents: Number(w.refunded),
    })),
  };
}

/** The ledgers of a Postgres database that holds every service's schema. */
export async function readPostgresLedgers(databaseUrl: string): Promise<Ledgers> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const query: Query = async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[];
    // The reads see a quiet platform (settled, no load), so no snapshot is needed.
    return await readLedgers({ orders: query, inventory: query, payment: query });
  } finally {
    await client.end();
  }
}

/**
 * The ledgers of the embedded databases under `dataDir` (`<dataDir>/order`, `inventory`, `payment`),
 * opened as the services open them, once every service has stopped (a data folder is one process's).
 */
export async function readEmbeddedLedgers(dataDir: string): Promise<Ledgers> {
  const opened = [
    ["orders", openEmbeddedDatabase(join(dataDir, "order"), "orders")],
    ["inventory", openEmbeddedDatabase(join(dataDir, "inventory"), "inventory")],
    ["payment", openEmbeddedDatabase(join(dataDir, "payment"), "payment")],
  ] as const;
  try {
    const queries = Object.fromEntries(
      opened.map(([schema, db]) => {
        const query: Query = async <R>(text: string, params?: unknown[]) => {
          const client = await db.pool.connect();
          try {
            return (await client.query(text, params ?? [])).rows as R[];
          } finally {
            client.release();
          }
        };
        return [schema, query];
      }),
    ) as unknown as ServiceQueries;
    return await readLedgers(queries);
  } finally {
    for (const [, db] of opened) await db.pool.end?.();
  }
}
