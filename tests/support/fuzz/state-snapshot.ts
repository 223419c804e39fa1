import pg from "pg";

/**
 * What a refused request must leave as it was: stock per sku, every balance of every wallet (one per
 * currency, keyed "customer currency", so a balance that appears counts as a change too), and every
 * order's status. Read straight from the services' schemas, so no API can hide a change.
 */
export interface Snapshot {
  readonly stock: ReadonlyMap<string, string>;
  readonly wallets: ReadonlyMap<string, string>;
  readonly orders: ReadonlyMap<string, string>;
}

export interface StateReader {
  snapshot(): Promise<Snapshot>;
  /** Waits until no order is PENDING: a saga still running moves stock and money on its own. */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function stateReader(databaseUrl: string): Promise<StateReader> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const rows = async (sql: string): Promise<Map<string, string>> => {
    const result = await client.query<{ k: string; v: string }>(sql);
    return new Map(result.rows.map((r) => [r.k, r.v]));
  };
  return {
    snapshot: async () => ({
      stock: await rows("SELECT sku AS k, stock::text AS v FROM inventory.products"),
      wallets: await rows("SELECT customer_id || ' ' || currency AS k, balance_cents::text AS v FROM payment.wallets"),
      // rider_id is left out: the background dispatcher assigns riders to confirmed orders at any time.
      orders: await rows("SELECT id::text AS k, status AS v FROM orders.orders"),
    }),
    settled: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { rows: pending } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM orders.orders WHERE status = 'PENDING'",
        );
        if ((pending[0]?.n ?? 0) === 0) return;
        if (Date.now() > deadline) throw new Error(`orders still PENDING after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => client.end(),
  };
}

/**
 * What changed between two snapshots, one line per difference. `allowedOrder` is an order the refusal
 * itself reports (a FAILED order of a 402/409 carries it): it may appear, FAILED, and nothing else.
 */
export function differences(before: Snapshot, after: Snapshot, allowedOrder?: string): string[] {
  const diff = (
    what: string,
    a: ReadonlyMap<string, string>,
    b: ReadonlyMap<string, string>,
    allowed?: (k: string, v: string) => boolean,
  ) => {
    const lines: string[] = [];
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      const was = a.get(k);
      const now = b.get(k);
      if (was === now) continue;
      if (was === undefined && now !== undefined && allowed?.(k, now)) continue;
      lines.push(`${what} ${k}: ${was ?? "(none)"} -> ${now ?? "(none)"}`);
    }
    return lines;
  };
  return [
    ...diff("stock", before.stock, after.stock),
    ...diff("wallet", before.wallets, after.wallets),
    ...diff("order", before.orders, after.orders, (id, status) => id === allowedOrder && status === "FAILED"),
  ];
}
