/**
 * The orchestrator itself dies mid-saga (SIGKILL while a charge hangs in a black-holed network);
 * a restarted replica, or another one, finishes the saga from its durable state.
 */
import { randomUUID } from "node:crypto";
import { freePort, ServiceProcess } from "@qc/devstack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startE2E, type E2E } from "../support/e2e-stack";
import { fixtures, steps, type OrderBody } from "../support/fixtures";

let e2e: E2E;
let f: ReturnType<typeof fixtures>;
const replicas: ServiceProcess[] = [];

beforeAll(async () => {
  e2e = await startE2E({
    faultProxies: true,
    // A short lease so a dead replica's sagas are taken over quickly; the deadline outlives the kill.
    serviceEnv: {
      order: {
        SAGA_LEASE_MS: "2000",
        RECOVERY_INTERVAL_MS: "100",
        RECOVERY_BATCH_SIZE: "2",
        UPSTREAM_TIMEOUT_MS: "1500",
      },
    },
  });
  f = fixtures(e2e, await e2e.token("ops", "admin"));
}, 90_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await e2e?.stop();
});

/** The customer's only order, once it reached a final state. */
async function onlyOrder(token: string): Promise<OrderBody> {
  return eventually(
    async () => {
      const list = await e2e.api<{ items?: OrderBody[] }>("GET", "/v1/orders", { token });
      const items = list.body.items ?? []; // the gateway answers 503 while its breaker to the order service is open
      const order = items[0];
      return items.length === 1 && order && order.status !== "PENDING" ? order : null;
    },
    "the order to reach a final state",
    20_000,
  );
}

describe("Orchestrator crash", () => {
  it("finishes a saga whose orchestrator was killed mid-way, charging and deducting exactly once", async () => {
    const order = e2e.stack.services.order;
    const sku = await f.product(10, 700);
    const alice = await f.customer(5_000);
    e2e.proxies!.payment.set({ kind: "blackhole" }); // the charge hangs: the saga is between two steps
    const answer = f.order(alice.token, [{ sku, quantity: 2 }], randomUUID());
    await eventually(async () => (await f.stockOf(sku)) === 8, "stock to be deducted");
    await order.kill();
    expect((await answer).status).toBe(503); // the gateway lost its upstream mid-request

    e2e.proxies!.payment.set({ kind: "pass" }, { cut: true });
    await order.start();
    const done = await onlyOrder(alice.token);
    expect(done.status).toBe("CONFIRMED");
    expect(steps(done)).toContain("saga:taken-over");
    expect(steps(done).filter((s) => s === "charge-payment:done")).toHaveLength(1);
    expect(await f.stockOf(sku)).toBe(8);
    expect(await f.balanceOf(alice.id)).toBe(5_000 - 1_400);
  });

  it("never lets two replicas drive the same saga: each stranded order is taken over once", async () => {
    const primary = e2e.stack.services.order;
    const sku = await f.product(100, 100);
    const buyers = await Promise.all(Array.from({ length: 12 }, () => f.customer(1_000)));
    e2e.proxies!.payment.set({ kind: "blackhole" });
    const answers = buyers.map((b) => f.order(b.token, [{ sku, quantity: 1 }], randomUUID()));
    await eventually(async () => (await f.stockOf(sku)) === 100 - buyers.length, "every order to deduct stock");
    await primary.kill();
    await Promise.all(answers);
    e2e.proxies!.payment.set({ kind: "pass" }, { cut: true });

    // Two replicas on the same database race to take the stranded sagas over.
    const port = await freePort();
    // Its own ports: the primary's METRICS_PORT is taken by the primary.
    const second = new ServiceProcess(
      "order",
      port,
      { ...primary.env, ORDER_PORT: String(port), METRICS_PORT: "0" },
      () => undefined,
    );
    replicas.push(second);
    await Promise.all([primary.start(), second.start()]);

    const orders = await Promise.all(buyers.map((b) => onlyOrder(b.token)));
    const takers = new Set<string>();
    for (const o of orders) {
      expect(o.status).toBe("CONFIRMED");
      const takeovers = o.history.filter((h) => h.step === "saga" && h.outcome === "taken-over");
      expect(takeovers).toHaveLength(1);
      takers.add(takeovers[0]?.detail ?? "");
      expect(steps(o).filter((s) => s === "charge-payment:done")).toHaveLength(1);
    }
    expect(await f.stockOf(sku)).toBe(100 - buyers.length);
    const balances = await Promise.all(buyers.map((b) => f.balanceOf(b.id)));
    expect(balances).toEqual(buyers.map(() => 900));
    console.log(`stranded sagas taken over by ${takers.size} replica(s)`);
  });
});
