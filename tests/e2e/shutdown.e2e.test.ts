/**
 * Graceful shutdown under load: SIGTERM to a service while a closed loop of orders runs through the
 * gateway. Payment answers are slowed down (a fault proxy delays them) so that sagas are in flight
 * when the signal lands.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrderLoad, sleep, type Outcome } from "../support/closed-loop";
import { eventually, startE2E, type E2E } from "../support/e2e-stack";
import { fixtures } from "../support/fixtures";

const PROPER = [201, 402, 409];

async function boot() {
  const e2e = await startE2E({ faultProxies: true });
  // The stack runs from here on: a failure below must stop it, or its processes would outlive the test.
  return prepare(e2e).catch(async (err: unknown) => {
    await e2e.stop();
    throw err;
  });
}

async function prepare(e2e: E2E) {
  const admin = await e2e.token("ops", "admin");
  const f = fixtures(e2e, admin);
  const plenty = await f.product(1_000_000, 100);
  const none = await f.product(0, 100);
  const funded = await Promise.all(Array.from({ length: 4 }, () => f.customer(100_000_000)));
  const broke = await f.customer(0);
  // Every request is one of: confirmed (201), declined (402), out of stock (409).
  const next = (i: number) =>
    i % 7 === 3
      ? { token: broke.token, items: [{ sku: plenty, quantity: 1 }] }
      : i % 7 === 5
        ? { token: funded[i % 4]!.token, items: [{ sku: none, quantity: 1 }] }
        : { token: funded[i % 4]!.token, items: [{ sku: plenty, quantity: 1 }] };
  const customers = [...funded.map((c) => c.id), broke.id];
  e2e.proxies!.payment.set({ kind: "delay", delayMs: 150 });
  return { e2e, next, customers };
}

/** The orders of these customers as stored, straight from the order service's schema. */
async function storedOrders(e2e: E2E, customers: readonly string[]): Promise<{ id: string; status: string }[]> {
  const client = new pg.Client({ connectionString: e2e.db.url });
  await client.connect();
  try {
    return (
      await client.query<{ id: string; status: string }>(
        "SELECT id, status FROM orders.orders WHERE customer_id = ANY($1)",
        [customers],
      )
    ).rows;
  } finally {
    await client.end();
  }
}

const describeOutcomes = (outcomes: readonly Outcome[]) =>
  Object.entries(
    outcomes.reduce<Record<string, number>>((acc, o) => {
      const key = o.status === 0 ? `error ${o.error}` : `${o.status}${o.code ? ` ${o.code}` : ""}`;
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {}),
  )
    .map(([k, n]) => `${k}: ${n}`)
    .join(", ");

describe("SIGTERM to the order service under load", () => {
  let t: Awaited<ReturnType<typeof boot>>;
  beforeAll(async () => {
    t = await boot();
  }, 90_000);
  afterAll(() => t?.e2e.stop());

  it("finishes every order it accepted, answers 503 (never 500) after, exits 0 and leaves nothing PENDING", async () => {
    const { e2e } = t;
    const load = startOrderLoad({ gatewayUrl: e2e.stack.gatewayUrl, clients: 8, next: t.next, maxMs: 30_000 });
    await eventually(
      async () => load.outcomes.filter((o) => o.status === 201).length >= 10 && load.inFlight() >= 4,
      "orders flowing",
    );

    const sigtermAt = Date.now();
    const exitCode = await e2e.stack.services.order.stop();
    const exitedAt = Date.now();
    // Requests keep arriving at the gateway with the order service gone: wait for some to be answered
    // (not a fixed time, which a loaded machine may fill with none).
    await eventually(
      async () => load.outcomes.filter((o) => o.startedAt > exitedAt).length >= 3,
      "requests sent after the order service exited",
    );
    const outcomes = await load.stop();
    const summary = describeOutcomes(outcomes);

    expect(exitCode, summary).toBe(0);
    // Only proper answers, and 503 for what the service did not take; never a 500, never a dropped connection.
    for (const o of outcomes) expect([...PROPER, 503], summary).toContain(o.status);
    // The sagas in flight at SIGTERM were finished and answered, not cut off.
    const drained = outcomes.filter(
      (o) => o.startedAt < sigtermAt && o.endedAt > sigtermAt && PROPER.includes(o.status),
    );
    expect(drained.length, summary).toBeGreaterThan(0);
    // Once the process is gone, the gateway answers 503 at once.
    const after = outcomes.filter((o) => o.startedAt > exitedAt);
    expect(after.length, summary).toBeGreaterThan(0);
    for (const o of after) expect(o.status, summary).toBe(503);

    // Every order the service accepted got its answer, and none is left PENDING.
    const stored = await storedOrders(e2e, t.customers);
    expect(
      stored.filter((o) => o.status === "PENDING"),
      summary,
    ).toEqual([]);
    const answered = outcomes.filter((o) => PROPER.includes(o.status)).map((o) => o.orderId);
    expect(new Set(stored.map((o) => o.id)), summary).toEqual(new Set(answered));
  });
});

describe("SIGTERM to the gateway under load", () => {
  let t: Awaited<ReturnType<typeof boot>>;
  beforeAll(async () => {
    t = await boot();
  }, 90_000);
  afterAll(() => t?.e2e.stop());

  it("answers the requests in flight, then stops taking connections and exits 0", async () => {
    const { e2e } = t;
    const load = startOrderLoad({ gatewayUrl: e2e.stack.gatewayUrl, clients: 8, next: t.next, maxMs: 30_000 });
    await eventually(
      async () => load.outcomes.filter((o) => o.status === 201).length >= 10 && load.inFlight() >= 4,
      "orders flowing",
    );

    const sigtermAt = Date.now();
    const exitCode = await e2e.stack.services.gateway.stop();
    await sleep(500);
    const outcomes = await load.stop();
    const summary = describeOutcomes(outcomes);

    expect(exitCode, summary).toBe(0);
    for (const o of outcomes) {
      // While closing, a request on a kept-alive connection gets 503; once closed, connections are refused.
      if (o.status === 0) expect(o.startedAt, `${summary}: ${o.error}`).toBeGreaterThan(sigtermAt - 100);
      else expect([...PROPER, 503], summary).toContain(o.status);
    }
    const drained = outcomes.filter(
      (o) => o.startedAt < sigtermAt && o.endedAt > sigtermAt && PROPER.includes(o.status),
    );
    expect(drained.length, summary).toBeGreaterThan(0);
    // Nothing the gateway had taken was cut off: the requests sent well before SIGTERM all got their answer.
    for (const o of outcomes.filter((x) => x.startedAt < sigtermAt - 100)) expect(PROPER, summary).toContain(o.status);

    // Every order created was answered, and every saga ended.
    await eventually(
      async () => (await storedOrders(e2e, t.customers)).every((o) => o.status !== "PENDING"),
      "no order PENDING",
      10_000,
    );
    const stored = await storedOrders(e2e, t.customers);
    const answered = outcomes.filter((o) => PROPER.includes(o.status)).map((o) => o.orderId);
    expect(new Set(stored.map((o) => o.id)), summary).toEqual(new Set(answered));
  });
});
