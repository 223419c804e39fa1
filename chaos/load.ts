import { randomUUID } from "node:crypto";
import { pick, randomLines } from "../bench/seed";
import { orderOf, recorded, send, type Reply } from "./http";
import type { RecordedAnswer, Restock } from "./invariants";
import { intBetween, type Random } from "./prng";
import { GENEROUS_STOCK, SCARCE_STOCK, STORE, type ChaosData } from "./seed";

export interface LoadOptions {
  readonly gatewayUrl: string;
  readonly data: ChaosData;
  /** Concurrent customers, each placing its next order once the last one is answered. */
  readonly clients: number;
  readonly random: Random;
}

export interface Load {
  readonly answers: RecordedAnswer[];
  readonly restocks: Restock[];
  /** Orders whose answer said they exist (201, 202, or a problem naming them). */
  readonly ordersSeen: Set<string>;
  /** Orders delivered by their rider during the run. */
  delivered(): number;
  /** Orders placed (each with its own Idempotency-Key, however often it was sent). */
  placed(): number;
  /** Stops sending; resolves once every request in flight is answered (or past its deadline). */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Retries of one order with the same Idempotency-Key when its outcome is unknown (no answer, or a 503 naming no order). */
const ORDER_RETRIES = 2;
/** Orders the couriers keep an eye on at once (the oldest first, as the dispatcher serves them). */
const WATCHED = 48;

/**
 * The traffic of a run: customers placing orders in a closed loop (retrying an unknown outcome with
 * the same key, as a real client would), riders reporting their location, the assigned rider
 * delivering confirmed orders, and an operator restocking what runs low. Every answer is recorded.
 */
export function startLoad(options: LoadOptions): Load {
  const { gatewayUrl, data, random } = options;
  const answers: RecordedAnswer[] = [];
  const restocks: Restock[] = [];
  const ordersSeen = new Set<string>();
  let stopping = false;
  let delivered = 0;
  let placed = 0;
  const call = async (
    kind: RecordedAnswer["kind"],
    label: string,
    method: string,
    path: string,
    opts: Parameters<typeof send>[3] = {},
  ): Promise<Reply> => {
    const reply = await send(gatewayUrl, method, path, opts);
    answers.push(recorded(kind, label, reply));
    return reply;
  };
  const pause = async (ms: number) => {
    const until = Date.now() + ms;
    while (!stopping && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
  };

  // Orders the couriers watch for a rider, and the backlog behind them.
  const backlog: string[] = [];
  const watched = new Map<string, number>(); // order id → when to look again
  const watch = (id: string) => (watched.size < WATCHED ? watched.set(id, Date.now() + 500) : backlog.push(id));

  const customer = async () => {
    while (!stopping) {
      const who = pick(data.customers, random);
      const body = { items: randomLines(data.skus, random) };
      const key = randomUUID();
      placed++;
      for (let attempt = 0; attempt <= ORDER_RETRIES; attempt++) {
        const reply = await call("order", "POST /v1/orders", "POST", "/v1/orders", {
          token: who.token,
          body,
          headers: { "idempotency-key": key },
        });
        const order = orderOf(reply.body);
        if (order.id) {
          ordersSeen.add(order.id);
          if (order.status === "PENDING" || order.status === "CONFIRMED") watch(order.id);
        }
        const unknown = reply.status === 0 || (reply.status === 503 && !order.id);
        if (!unknown || stopping) break;
        const retryAfter = Number(reply.headers?.get("retry-after") ?? 0);
        await pause(retryAfter > 0 ? Math.min(retryAfter, 5) * 1000 : intBetween(random, 200, 1_000));
      }
    }
  };

  const rider = async (r: ChaosData["riders"][number]) => {
    while (!stopping) {
      const location = {
        lat: STORE.lat + (random() - 0.5) * 0.04,
        lon: STORE.lon + (random() - 0.5) * 0.06,
        available: true,
      };
      await call("location", "PUT /v1/riders/{id}/location", "PUT", `/v1/riders/${r.id}/location`, {
        token: r.token,
        body: location,
      });
      await pause(intBetween(random, 1_000, 2_000));
    }
  };

  const riders = new Map(data.riders.map((r) => [r.id, r]));
  const courier = async () => {
    while (!stopping) {
      while (watched.size < WATCHED && backlog.length > 0) watched.set(backlog.shift()!, Date.now());
      const due = [...watched].find(([, at]) => at <= Date.now());
      if (!due) {
        await pause(100);
        continue;
      }
      const [id] = due;
      watched.set(id, Date.now() + 1_500); // looked at; another courier leaves it alone
      const found = await call("lookup", "GET /v1/orders/{id}", "GET", `/v1/orders/${id}`, { token: data.adminToken });
      const order = orderOf(found.body);
      if (found.status === 200 && order.status !== "PENDING" && order.status !== "CONFIRMED") {
        watched.delete(id);
        continue;
      }
      const by = order.riderId ? riders.get(order.riderId) : undefined;
      if (found.status !== 200 || !by) continue;
      await pause(intBetween(random, 200, 800)); // the ride
      const done = await call("deliver", "POST /v1/orders/{id}/delivered", "POST", `/v1/orders/${id}/delivered`, {
        token: by.token,
      });
      if (done.status === 200) delivered++;
      // 404/409: the order is not this rider's, or not deliverable (the next look tells); else it is retried.
      if (done.status === 200 || done.status === 404 || done.status === 409) watched.delete(id);
    }
  };

  const lastRestock = new Map<string, number>();
  const restocker = async () => {
    while (!stopping) {
      await pause(2_000);
      if (stopping) break;
      const page = await call("lookup", "GET /v1/products", "GET", "/v1/products?limit=100");
      const items = Array.isArray(page.body.items) ? (page.body.items as { sku?: string; stock?: number }[]) : [];
      for (const { sku, stock } of items) {
        if (!sku || stock === undefined || !data.initialStock.has(sku)) continue;
        const scarce = data.scarce.has(sku);
        const low = scarce ? stock === 0 : stock < GENEROUS_STOCK / 4;
        if (!low || Date.now() - (lastRestock.get(sku) ?? 0) < (scarce ? 5_000 : 8_000)) continue;
        lastRestock.set(sku, Date.now());
        const quantity = scarce ? SCARCE_STOCK : GENEROUS_STOCK / 2;
        const reply = await call(
          "restock",
          "POST /v1/admin/products/{sku}/restock",
          "POST",
          `/v1/admin/products/${sku}/restock`,
          { token: data.adminToken, body: { quantity } },
        );
        // 200: added. A 4xx: refused, nothing added. Anything else (no answer, 5xx): unknown, the audit works it out.
        if (reply.status === 200 || reply.status === 0 || reply.status >= 500)
          restocks.push({ sku, quantity, certain: reply.status === 200, at: reply.startedAt });
      }
    }
  };

  const loops = [
    ...Array.from({ length: options.clients }, customer),
    ...data.riders.map(rider),
    courier(),
    courier(),
    restocker(),
  ];
  return {
    answers,
    restocks,
    ordersSeen,
    delivered: () => delivered,
    placed: () => placed,
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}
