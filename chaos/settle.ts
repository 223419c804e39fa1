import { send } from "./http";
import type { Ledgers, Violation } from "./invariants";
import type { ChaosData } from "./seed";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the public API shows once the platform is quiet; null where it could not be read. */
export interface RestView {
  readonly stock: ReadonlyMap<string, number> | null;
  readonly orders: ReadonlyMap<string, string> | null;
  readonly openDeadLetters: readonly { id: string; orderId: string; step: string; error: string }[] | null;
}

async function pages<T>(gatewayUrl: string, path: string, token: string | undefined): Promise<T[] | null> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const reply = await send(
      gatewayUrl,
      "GET",
      `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      token ? { token } : {},
    );
    if (reply.status !== 200 || !Array.isArray(reply.body.items)) return null;
    items.push(...(reply.body.items as T[]));
    cursor = typeof reply.body.nextCursor === "string" ? reply.body.nextCursor : null;
  } while (cursor);
  return items;
}

/** Every order of the run's customers, as each customer lists them (GET /v1/orders); null if a page could not be read. */
export async function listOrders(gatewayUrl: string, data: ChaosData): Promise<Map<string, string> | null> {
  const statuses = new Map<string, string>();
  for (const c of data.customers) {
    const items = await pages<{ id: string; status: string }>(gatewayUrl, "/v1/orders", c.token);
    if (!items) return null;
    for (const o of items) statuses.set(o.id, o.status);
  }
  return statuses;
}

export async function openDeadLetters(gatewayUrl: string, adminToken: string): Promise<RestView["openDeadLetters"]> {
  const reply = await send(gatewayUrl, "GET", "/v1/admin/dead-letters", { token: adminToken });
  if (reply.status !== 200 || !Array.isArray(reply.body.items)) return null;
  return (reply.body.items as { id: string; orderId: string; step: string; error: string; status: string }[]).filter(
    (d) => d.status === "open",
  );
}

export async function readRest(gatewayUrl: string, data: ChaosData): Promise<RestView> {
  const products = await pages<{ sku: string; stock: number }>(gatewayUrl, "/v1/products", undefined);
  return {
    stock: products ? new Map(products.map((p) => [p.sku, p.stock])) : null,
    orders: await listOrders(gatewayUrl, data),
    openDeadLetters: await openDeadLetters(gatewayUrl, data.adminToken),
  };
}

/** The REST API and the databases must tell the same story once the platform is quiet. */
export function compareRest(rest: RestView, ledgers: Ledgers, data: ChaosData): Violation[] {
  const out: Violation[] = [];
  const flag = (message: string, orderId?: string) =>
    out.push({ invariant: "rest-matches-sql", message, ...(orderId ? { orderId } : {}) });
  if (!rest.stock) flag("GET /v1/products could not be read after settling");
  else {
    for (const p of ledgers.products) {
      if (!data.initialStock.has(p.sku)) continue;
      const shown = rest.stock.get(p.sku);
      if (shown !== p.stock)
        flag(`GET /v1/products shows sku ${p.sku} with stock ${shown ?? "missing"}, the database holds ${p.stock}`);
    }
  }
  if (!rest.orders) flag("GET /v1/orders could not be read for every customer after settling");
  else {
    for (const o of ledgers.orders) {
      const shown = rest.orders.get(o.id);
      if (shown !== o.status)
        flag(`GET /v1/orders shows order ${o.id} as ${shown ?? "missing"}, the database holds ${o.status}`, o.id);
    }
    if (rest.orders.size !== ledgers.orders.length)
      flag(`GET /v1/orders lists ${rest.orders.size} orders, the database holds ${ledgers.orders.length}`);
  }
  if (!rest.openDeadLetters) flag("GET /v1/admin/dead-letters could not be read after settling");
  else {
    const open = new Set(ledgers.deadLetters.filter((d) => d.status === "open").map((d) => d.id));
    const shown = new Set(rest.openDeadLetters.map((d) => d.id));
    if (open.size !== shown.size || [...open].some((id) => !shown.has(id)))
      flag(`GET /v1/admin/dead-letters lists ${shown.size} open, the database holds ${open.size}`);
  }
  return out;
}

export interface SettleResult {
  readonly settled: boolean;
  readonly seconds: number;
  /** PENDING orders left (null: could not be counted). */
  readonly pending: number | null;
  readonly openDeadLetters: readonly { id: string; orderId: string; step: string; error: string }[];
  /** Dead letters the runner replayed through the admin API, as an operator would, while waiting. */
  readonly replayed: number;
}

/**
 * Waits until no order is PENDING and no dead letter is open, at most `boundMs`. The background
 * redrive retries a dead letter with a growing delay (minutes after a few failures), so from
 * `replayAfterMs` on the runner replays the open ones every 10 s, as an operator would.
 */
export async function settle(options: {
  gatewayUrl: string;
  adminToken: string;
  pendingCount: () => Promise<number | null>;
  boundMs: number;
  replayAfterMs: number;
  note: (line: string) => void;
}): Promise<SettleResult> {
  const started = Date.now();
  let replayed = 0;
  let lastReplay = 0;
  for (;;) {
    const pending = await options.pendingCount().catch(() => null);
    const open = await openDeadLetters(options.gatewayUrl, options.adminToken);
    const elapsed = Date.now() - started;
    if (pending === 0 && open?.length === 0)
      return { settled: true, seconds: elapsed / 1000, pending, openDeadLetters: [], replayed };
    if (elapsed > options.boundMs)
      return { settled: false, seconds: elapsed / 1000, pending, openDeadLetters: open ?? [], replayed };
    if (open && open.length > 0 && elapsed >= options.replayAfterMs && Date.now() - lastReplay >= 10_000) {
      lastReplay = Date.now();
      const answers: Record<string, number> = {};
      for (const d of open) {
        const reply = await send(options.gatewayUrl, "POST", `/v1/admin/dead-letters/${d.id}/replay`, {
          token: options.adminToken,
        });
        replayed++;
        const key = `${reply.status}${typeof reply.body.code === "string" ? ` ${reply.body.code}` : ""}`;
        answers[key] = (answers[key] ?? 0) + 1;
      }
      const steps = [...new Set(open.map((d) => d.step))].join(", ");
      options.note(
        `replayed ${open.length} open dead letters (${steps}): ${Object.entries(answers)
          .map(([k, n]) => `${n}× ${k}`)
          .join(", ")}`,
      );
    }
    await sleep(1_000);
  }
}
