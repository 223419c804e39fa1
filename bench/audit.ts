import pg from "pg";

export interface AuditResult {
  readonly ok: boolean;
  readonly pending: number;
  readonly stockMismatches: number;
  readonly creditedCents: number;
  readonly balancesCents: number;
  readonly confirmedTotalCents: number;
  readonly failedWithCharge: number;
  readonly problems: string[];
}

/**
 * The invariants of DESIGN §7, checked in SQL across the services' schemas after a load:
 * no order left PENDING; per sku, initial stock = on hand + units of confirmed orders; credits =
 * balances + totals of confirmed orders; no FAILED order keeps a charge.
 */
export async function audit(databaseUrl: string, initialStock: ReadonlyMap<string, number>, waitForPendingMs = 30_000): Promise<AuditResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const problems: string[] = [];
  try {
    const count = async (q: string) => Number((await client.query<{ n: string }>(q)).rows[0]?.n ?? 0);
    const deadline = Date.now() + waitForPendingMs;
    let pending = await count(`SELECT count(*) AS n FROM orders.orders WHERE status = 'PENDING'`);
    while (pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      pending = await count(`SELECT count(*) AS n FROM orders.orders WHERE status = 'PENDING'`);
    }
    if (pending > 0) problems.push(`${pending} orders still PENDING`);

    const stock = await client.query<{ sku: string; stock: string; sold: string }>(`
      SELECT p.sku, p.stock,
             coalesce((SELECT sum(l.quantity) FROM orders.order_lines l JOIN orders.orders o ON o.id = l.order_id
                        WHERE l.sku = p.sku AND o.status IN ('CONFIRMED', 'DELIVERED')), 0) AS sold
        FROM inventory.products p WHERE p.sku = ANY($1)`, [[...initialStock.keys()]]);
    let stockMismatches = 0;
    for (const row of stock.rows) {
      const initial = initialStock.get(row.sku) ?? 0;
      if (Number(row.stock) + Number(row.sold) !== initial) {
        stockMismatches++;
        if (stockMismatches <= 5) problems.push(`sku ${row.sku}: initial ${initial} ≠ on hand ${row.stock} + sold ${row.sold}`);
      }
    }

    const money = (
      await client.query<{ credited: string; balances: string; confirmed: string }>(`
        SELECT (SELECT coalesce(sum(amount_cents), 0) FROM payment.wallet_entries WHERE kind = 'credit') AS credited,
               (SELECT coalesce(sum(balance_cents), 0) FROM payment.wallets) AS balances,
               (SELECT coalesce(sum(total_cents), 0) FROM orders.orders WHERE status IN ('CONFIRMED', 'DELIVERED')) AS confirmed`)
    ).rows[0]!;
    const creditedCents = Number(money.credited);
    const balancesCents = Number(money.balances);
    const confirmedTotalCents = Number(money.confirmed);
    if (creditedCents !== balancesCents + confirmedTotalCents) {
      problems.push(`credits ${creditedCents} ≠ balances ${balancesCents} + confirmed ${confirmedTotalCents}`);
    }
    const failedWithCharge = await count(`
      SELECT count(*) AS n FROM payment.charges c JOIN orders.orders o ON o.id::text = c.order_id
       WHERE o.status = 'FAILED' AND c.status = 'charged'`);
    if (failedWithCharge > 0) problems.push(`${failedWithCharge} FAILED orders keep a charge`);
    return { ok: problems.length === 0, pending, stockMismatches, creditedCents, balancesCents, confirmedTotalCents, failedWithCharge, problems };
  } finally {
    await client.end();
  }
}
