import pg from "pg";

/** One currency's money: a wallet holds a balance per currency, and none moves between them. */
export interface CurrencyTotals {
  readonly currency: string;
  readonly creditedCents: number;
  readonly balancesCents: number;
  readonly confirmedTotalCents: number;
}

export interface AuditResult {
  readonly ok: boolean;
  readonly pending: number;
  readonly stockMismatches: number;
  readonly money: readonly CurrencyTotals[];
  readonly failedWithCharge: number;
  /** Charges taken in a currency other than their order's. */
  readonly chargedInOtherCurrency: number;
  readonly problems: string[];
}

/**
 * Per sku of `$1`: units on hand and units sold (in confirmed and delivered orders). The lines are
 * summed once, grouped by sku, and joined: a sum per product (a correlated subquery) read every
 * order line once per product, minutes for the sweep's 100,000-product catalog.
 */
export const STOCK_SQL = `
  WITH sold AS (
    SELECT l.sku, sum(l.quantity) AS n FROM orders.order_lines l JOIN orders.orders o ON o.id = l.order_id
     WHERE o.status IN ('CONFIRMED', 'DELIVERED') GROUP BY l.sku
  )
  SELECT p.sku, p.stock, coalesce(s.n, 0) AS sold
    FROM inventory.products p LEFT JOIN sold s ON s.sku = p.sku
   WHERE p.sku = ANY($1)`;

/**
 * The invariants of docs/design.md §7, checked in SQL across the services' schemas after a load:
 * no order left PENDING; per sku, initial stock = on hand + units of confirmed orders; per currency,
 * credits = balances + totals of confirmed orders; no FAILED order keeps a charge; every charge is in
 * its order's currency.
 */
export async function audit(
  databaseUrl: string,
  initialStock: ReadonlyMap<string, number>,
  waitForPendingMs = 30_000,
): Promise<AuditResult> {
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

    const stock = await client.query<{ sku: string; stock: string; sold: string }>(STOCK_SQL, [
      [...initialStock.keys()],
    ]);
    let stockMismatches = 0;
    for (const row of stock.rows) {
      const initial = initialStock.get(row.sku) ?? 0;
      if (Number(row.stock) + Number(row.sold) !== initial) {
        stockMismatches++;
        if (stockMismatches <= 5)
          problems.push(`sku ${row.sku}: initial ${initial} ≠ on hand ${row.stock} + sold ${row.sold}`);
      }
    }

    const totals = await client.query<{ currency: string; credited: string; balances: string; confirmed: string }>(`
      WITH credited AS (SELECT currency, sum(amount_cents) AS n FROM payment.wallet_entries WHERE kind = 'credit' GROUP BY currency),
           balances AS (SELECT currency, sum(balance_cents) AS n FROM payment.wallets GROUP BY currency),
           confirmed AS (SELECT currency, sum(total_cents) AS n FROM orders.orders WHERE status IN ('CONFIRMED', 'DELIVERED') GROUP BY currency)
      SELECT currency, coalesce(credited.n, 0) AS credited, coalesce(balances.n, 0) AS balances, coalesce(confirmed.n, 0) AS confirmed
        FROM credited FULL JOIN balances USING (currency) FULL JOIN confirmed USING (currency)
       ORDER BY currency`);
    const money = totals.rows.map((r) => ({
      currency: r.currency,
      creditedCents: Number(r.credited),
      balancesCents: Number(r.balances),
      confirmedTotalCents: Number(r.confirmed),
    }));
    for (const m of money) {
      if (m.creditedCents !== m.balancesCents + m.confirmedTotalCents) {
        problems.push(
          `${m.currency}: credits ${m.creditedCents} ≠ balances ${m.balancesCents} + confirmed ${m.confirmedTotalCents}`,
        );
      }
    }
    const failedWithCharge = await count(`
      SELECT count(*) AS n FROM payment.charges c JOIN orders.orders o ON o.id::text = c.order_id
       WHERE o.status = 'FAILED' AND c.status = 'charged'`);
    if (failedWithCharge > 0) problems.push(`${failedWithCharge} FAILED orders keep a charge`);
    const chargedInOtherCurrency = await count(`
      SELECT count(*) AS n FROM payment.charges c JOIN orders.orders o ON o.id::text = c.order_id
       WHERE c.status = 'charged' AND c.currency IS DISTINCT FROM o.currency`);
    if (chargedInOtherCurrency > 0)
      problems.push(`${chargedInOtherCurrency} orders charged in another currency than their own`);
    return {
      ok: problems.length === 0,
      pending,
      stockMismatches,
      money,
      failedWithCharge,
      chargedInOtherCurrency,
      problems,
    };
  } finally {
    await client.end();
  }
}
