/**
 * The original design's failure table (docs/design.md §4), each row proven by injecting the
 * fault between real processes: a TCP fault proxy between the order service and its dependencies,
 * and SIGKILL / SIGSTOP of a service.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startE2E } from "../support/e2e-stack";
import { fixtures, steps, type OrderBody } from "../support/fixtures";

interface Breaker {
  caller: string;
  target: string;
  state: string;
}
interface DeadLetterBody {
  id: string;
  orderId: string;
  step: string;
  attempts: number;
  status: string;
}

async function boot(orderEnv: Record<string, string>) {
  const e2e = await startE2E({ faultProxies: true, serviceEnv: { order: orderEnv } });
  const admin = await e2e.token("ops", "admin");
  const f = fixtures(e2e, admin);
  const proxies = e2e.proxies!;
  const breaker = async (target: string) =>
    (await e2e.api<{ items: Breaker[] }>("GET", "/v1/admin/circuit-breakers", { token: admin })).body.items.find(
      (b) => b.caller === "order" && b.target === target,
    )?.state;
  const deadLetters = async () =>
    (await e2e.api<{ items: DeadLetterBody[] }>("GET", "/v1/admin/dead-letters", { token: admin })).body.items;
  const replay = (id: string) =>
    e2e.api<{ deadLetter?: DeadLetterBody; code?: string }>("POST", `/v1/admin/dead-letters/${id}/replay`, {
      token: admin,
    });
  /** Starts an order without waiting for its answer, and resolves once its stock is deducted. */
  const orderUntilDeducted = async (token: string, sku: string, stockBefore: number, quantity = 1) => {
    const answer = f.order(token, [{ sku, quantity }], randomUUID());
    await eventually(async () => (await f.stockOf(sku)) === stockBefore - quantity, "stock deducted");
    return { answer };
  };
  /** The order once its saga has ended, whatever the POST answered meanwhile (201/402/409/503, or 202). */
  const settled = async (answer: Promise<{ status: number; body: OrderBody & { order?: OrderBody } }>) => {
    const res = await answer;
    const id = res.body.order?.id ?? res.body.id;
    return eventually(async () => {
      const o = await f.getOrder(id);
      return o.status !== "PENDING" ? o : null;
    }, "the saga to end");
  };
  return { e2e, admin, proxies, breaker, deadLetters, replay, orderUntilDeducted, settled, ...f };
}

describe("Service Crash", () => {
  let t: Awaited<ReturnType<typeof boot>>;
  beforeAll(async () => {
    t = await boot({ UPSTREAM_TIMEOUT_MS: "500" });
  }, 90_000);
  afterAll(() => t?.e2e.stop());

  it("Service Crash: with inventory down orders get 503 + Retry-After, then fail fast once the breaker opens, and recover after 5 s", async () => {
    const sku = await t.product(100, 100);
    const alice = await t.customer(100_000);
    await t.e2e.stack.services.inventory.kill();
    try {
      await crashAndRecover(sku, alice);
    } finally {
      if (!t.e2e.stack.services.inventory.running) await t.e2e.stack.services.inventory.start();
    }
  });

  async function crashAndRecover(sku: string, alice: { token: string }) {
    const first = await t.order(alice.token, [{ sku, quantity: 1 }]);
    expect(first.status).toBe(503);
    expect(first.body.code).toMatch(/SERVICE_UNAVAILABLE|CIRCUIT_OPEN/);
    expect(Number(first.headers.get("retry-after"))).toBeGreaterThan(0);
    // Each order makes up to two attempts (reads are retried once); five failures open the breaker.
    await eventually(
      async () => (await t.order(alice.token, [{ sku, quantity: 1 }])).body.code === "CIRCUIT_OPEN",
      "breaker open",
      10_000,
    );
    const openedAt = Date.now();
    expect(await t.breaker("inventory")).toBe("open");

    // Failing fast is a mechanism, not a speed: no call reaches the network, so none waits for a
    // connect attempt or the 500 ms deadline, however slow the machine is.
    const callsBefore = t.proxies.inventory.callsStarted;
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      const res = await t.order(alice.token, [{ sku, quantity: 1 }]);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe("CIRCUIT_OPEN");
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.headers.get("server-timing")).toMatch(/^order;dur=[\d.]+, gateway;dur=/);
    }
    expect(t.proxies.inventory.callsStarted).toBe(callsBefore);
    const perOrderMs = (performance.now() - started) / 20;
    expect(perOrderMs).toBeLessThan(500); // below the deadline: none waited for it

    await t.e2e.stack.services.inventory.start();
    const recovered = await eventually(
      async () => {
        const res = await t.order(alice.token, [{ sku, quantity: 1 }]);
        return res.status === 201 ? res : null;
      },
      "an order to succeed after inventory came back",
      15_000,
    );
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(4_500); // not before the half-open delay
    expect(recovered.body.status).toBe("CONFIRMED");
    expect(await t.breaker("inventory")).toBe("closed");
    const orders = await t.e2e.api<{ items: OrderBody[] }>("GET", "/v1/orders?limit=100", { token: alice.token });
    expect(orders.body.items).toHaveLength(1); // the refused attempts created nothing
  }

  it("Service Crash (hung): with inventory stopped by SIGSTOP calls end at the deadline, then fail fast", async () => {
    const sku = await t.product(100, 100);
    const bob = await t.customer(100_000);
    t.e2e.stack.services.inventory.signal("SIGSTOP");
    try {
      const started = performance.now();
      const hung = await t.order(bob.token, [{ sku, quantity: 1 }]);
      const hungMs = performance.now() - started;
      expect(hung.status).toBe(503);
      expect(hungMs).toBeGreaterThanOrEqual(450); // waited for the 500 ms deadline…
      expect(hungMs).toBeLessThan(2_500); // …and no longer than its two attempts
      await eventually(
        async () => (await t.order(bob.token, [{ sku, quantity: 1 }])).body.code === "CIRCUIT_OPEN",
        "breaker open",
        15_000,
      );
      const callsBefore = t.proxies.inventory.callsStarted;
      const fast = performance.now();
      for (let i = 0; i < 10; i++) {
        const res = await t.order(bob.token, [{ sku, quantity: 1 }]);
        expect(res.body.code).toBe("CIRCUIT_OPEN");
      }
      expect(t.proxies.inventory.callsStarted).toBe(callsBefore); // no call reached the network…
      expect((performance.now() - fast) / 10).toBeLessThan(500); // …so none waited for the 500 ms deadline
    } finally {
      t.e2e.stack.services.inventory.signal("SIGCONT");
    }
    await eventually(
      async () => (await t.order(bob.token, [{ sku, quantity: 1 }])).status === 201,
      "recovery after SIGCONT",
      15_000,
    );
  });
});

describe("Network Blip, Payment Fail and unknown charge outcomes", () => {
  let t: Awaited<ReturnType<typeof boot>>;
  beforeAll(async () => {
    t = await boot({
      UPSTREAM_TIMEOUT_MS: "1000",
      UPSTREAM_RETRY_DELAY_MS: "700",
      COMPENSATION_BACKOFF_MS: "700",
      DEAD_LETTER_REDRIVE_MS: "600000",
    });
  }, 90_000);
  afterAll(() => t?.e2e.stop());

  it("Payment Fail: a declined charge rolls the stock back and the order ends FAILED", async () => {
    const sku = await t.product(5, 500);
    const poor = await t.customer(100);
    const res = await t.order(poor.token, [{ sku, quantity: 2 }]);
    expect(res.status).toBe(402);
    expect(res.body.order).toMatchObject({ status: "FAILED", failureReason: "PAYMENT_DECLINED" });
    expect(steps(res.body.order)).toEqual([
      "order:created",
      "reserve-stock:done",
      "charge-payment:refused",
      "release-stock:done",
      "saga:failed",
    ]);
    expect(await t.stockOf(sku)).toBe(5);
    expect(await t.balanceOf(poor.id)).toBe(100);
  });

  it("Network Blip: a compensation that fails transiently is retried and succeeds without a dead letter", async () => {
    const sku = await t.product(5, 500);
    const poor = await t.customer(100);
    t.proxies.payment.set({ kind: "delay", delayMs: 200 }); // hold the charge while the blip starts
    const { answer: pending } = await t.orderUntilDeducted(poor.token, sku, 5);
    const attemptsBefore = t.proxies.inventory.connections;
    t.proxies.inventory.set({ kind: "refuse" }, { cut: true });
    await eventually(async () => t.proxies.inventory.connections > attemptsBefore, "a refused compensation attempt");
    t.proxies.inventory.set({ kind: "pass" });
    t.proxies.payment.set({ kind: "pass" });

    const order = await t.settled(pending);
    expect(order).toMatchObject({ status: "FAILED", failureReason: "PAYMENT_DECLINED" });
    const history = steps(order);
    expect(history).toContain("release-stock:retry");
    expect(history.at(-2)).toBe("release-stock:done");
    expect(history).not.toContain("release-stock:dead-lettered");
    expect(await t.stockOf(sku)).toBe(5);
    expect((await t.deadLetters()).filter((d) => d.orderId === order.id)).toEqual([]);
  });

  it("Network Blip: a retried compensation whose first call did arrive does not restore stock twice", async () => {
    const sku = await t.product(5, 500);
    const poor = await t.customer(100);
    t.proxies.payment.set({ kind: "delay", delayMs: 200 });
    const { answer: pending } = await t.orderUntilDeducted(poor.token, sku, 5);
    t.proxies.inventory.set({ kind: "drop-responses" });
    await eventually(async () => (await t.stockOf(sku)) === 5, "the compensation to arrive");
    t.proxies.inventory.set({ kind: "pass" }, { cut: true });
    t.proxies.payment.set({ kind: "pass" });

    const order = await t.settled(pending);
    expect(order).toMatchObject({ status: "FAILED", failureReason: "PAYMENT_DECLINED" });
    const release = order.history.filter((h) => h.step === "release-stock");
    expect(release.map((h) => h.outcome)).toEqual(["retry", "done"]);
    expect(release[1]?.detail).toBe("nothing to return");
    expect(await t.stockOf(sku)).toBe(5);
  });

  it("Unknown charge outcome: a charge whose answer was lost is learned by repeating it, and charged once", async () => {
    const sku = await t.product(5, 500);
    const alice = await t.customer(10_000);
    t.proxies.payment.set({ kind: "drop-responses" });
    const pending = t.order(alice.token, [{ sku, quantity: 1 }]);
    await eventually(async () => (await t.balanceOf(alice.id)) === 9_500, "the charge to arrive");
    t.proxies.payment.set({ kind: "pass" }, { cut: true });
    const order = await t.settled(pending);
    expect(order.status).toBe("CONFIRMED");
    expect(order.history.filter((h) => h.step === "charge-payment").map((h) => h.outcome)).toEqual(["done"]);
    expect(await t.balanceOf(alice.id)).toBe(9_500);
    expect(await t.stockOf(sku)).toBe(4);
  });
});

describe("Zombie Data", () => {
  let t: Awaited<ReturnType<typeof boot>>;
  beforeAll(async () => {
    t = await boot({ UPSTREAM_TIMEOUT_MS: "400", COMPENSATION_BACKOFF_MS: "50", DEAD_LETTER_REDRIVE_MS: "600000" });
  }, 90_000);
  afterAll(() => t?.e2e.stop());

  it("Zombie Data: a compensation that always fails becomes a dead letter; replay is 409 while failing, 200 once it works, and never compensates twice", async () => {
    const sku = await t.product(5, 500);
    const poor = await t.customer(100);
    t.proxies.payment.set({ kind: "delay", delayMs: 300 });
    const { answer: pending } = await t.orderUntilDeducted(poor.token, sku, 5, 2);
    t.proxies.inventory.set({ kind: "refuse" }, { cut: true });
    t.proxies.payment.set({ kind: "pass" });
    const res = await pending;
    expect(res.status).toBe(402);
    expect(res.body.order?.status).toBe("FAILED");
    expect(steps(res.body.order)).toContain("release-stock:dead-lettered");
    expect(await t.stockOf(sku)).toBe(3);

    const letter = (await t.deadLetters()).find((d) => d.orderId === res.body.order?.id);
    expect(letter).toMatchObject({ step: "release-stock", attempts: 3, status: "open" });
    const stillFailing = await t.replay(letter!.id);
    expect(stillFailing.status).toBe(409);
    expect(stillFailing.body.code).toBe("DEAD_LETTER_STILL_FAILING");
    expect(await t.stockOf(sku)).toBe(3);

    t.proxies.inventory.set({ kind: "pass" });
    const replayed = await eventually(async () => {
      const r = await t.replay(letter!.id);
      return r.status === 200 ? r : null;
    }, "replay to succeed");
    expect(replayed.body.deadLetter?.status).toBe("resolved");
    expect(await t.stockOf(sku)).toBe(5);
    expect((await t.replay(letter!.id)).status).toBe(200);
    expect(await t.stockOf(sku)).toBe(5);
    expect((await t.deadLetters()).find((d) => d.id === letter!.id)).toBeUndefined(); // no longer open
  });
});

describe("Zombie Data with background redrive", () => {
  let t: Awaited<ReturnType<typeof boot>>;
  beforeAll(async () => {
    t = await boot({
      UPSTREAM_TIMEOUT_MS: "400",
      UPSTREAM_RETRY_DELAY_MS: "50",
      COMPENSATION_BACKOFF_MS: "50",
      DEAD_LETTER_REDRIVE_MS: "500",
    });
  }, 90_000);
  afterAll(() => t?.e2e.stop());

  it("Zombie Data: the background redrive resolves dead letters once the dependency is back", async () => {
    const sku = await t.product(5, 500);
    const poor = await t.customer(100);
    t.proxies.payment.set({ kind: "delay", delayMs: 300 });
    const { answer: pending } = await t.orderUntilDeducted(poor.token, sku, 5);
    t.proxies.inventory.set({ kind: "refuse" }, { cut: true });
    t.proxies.payment.set({ kind: "pass" });
    const res = await pending;
    expect(steps(res.body.order)).toContain("release-stock:dead-lettered");
    t.proxies.inventory.set({ kind: "pass" });
    await eventually(async () => (await t.stockOf(sku)) === 5, "the redrive to return the stock", 20_000);
    await eventually(
      async () =>
        (await t.getOrder(res.body.order!.id)).history.some(
          (h) => h.step === "release-stock" && h.detail === "dead letter resolved by redrive",
        ),
      "the order's history to show the redrive",
    );
    expect((await t.deadLetters()).filter((d) => d.orderId === res.body.order?.id)).toEqual([]);
  });

  it("Unknown charge outcome: when the charge stays unknown the order fails and no money is kept", async () => {
    const sku = await t.product(5, 500);
    const alice = await t.customer(10_000);
    t.proxies.payment.set({ kind: "drop-responses" });
    const res = await t.order(alice.token, [{ sku, quantity: 1 }]);
    expect(res.status).toBe(503);
    expect(res.body.order).toMatchObject({ status: "FAILED", failureReason: "SERVICE_UNAVAILABLE" });
    expect(await t.stockOf(sku)).toBe(5); // the stock came back at once
    t.proxies.payment.set({ kind: "pass" }, { cut: true });
    // The refund could not get through either; its dead letter is redriven once payment answers.
    await eventually(async () => (await t.balanceOf(alice.id)) === 10_000, "the money to be returned", 20_000);
  });

  it("Unknown charge outcome: the money comes back to the balance it was taken from, in the order's currency", async () => {
    const sku = await t.product(5, 500, "USD");
    const carl = await t.customer(10_000, "USD");
    await t.credit(carl.id, 10_000, "EUR");
    // The test before may leave its refund a dead letter (its breaker opened while answers were
    // dropped): its redrive would race this order's charge for the one trial call payment's
    // half-open breaker lets through, and a charge refused there (CIRCUIT_OPEN, certain) never
    // reaches payment, so there would be no money to follow. Its redrive closes the breaker.
    await eventually(
      async () => (await t.deadLetters()).length === 0,
      "the test before's dead letters to be redriven",
      30_000,
    );
    t.proxies.payment.set({ kind: "drop-responses" });
    // The test before may leave payment's breaker open: until it half-opens an order is refused up
    // front (CIRCUIT_OPEN, nothing written), so such a refusal is simply sent again.
    const res = await eventually(
      async () => {
        const r = await t.order(carl.token, [{ sku, quantity: 1 }]);
        if (r.body.code !== "CIRCUIT_OPEN") return r;
        await new Promise((resolve) => setTimeout(resolve, 250));
        return null;
      },
      "an order past payment's breaker",
      15_000,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(res.body.order).toMatchObject({ status: "FAILED", failureReason: "SERVICE_UNAVAILABLE", currency: "USD" });
    t.proxies.payment.set({ kind: "pass" }, { cut: true });
    await eventually(async () => (await t.balanceOf(carl.id, "USD")) === 10_000, "the money to be returned", 20_000);
    expect(await t.balanceOf(carl.id, "EUR")).toBe(10_000);
    // Not a charge that never happened: it was taken from USD and returned there.
    const db = new pg.Client({ connectionString: t.e2e.db.url });
    await db.connect();
    try {
      const { rows } = await db.query(
        "SELECT kind, currency, amount_cents::int AS cents FROM payment.wallet_entries WHERE order_id = $1 ORDER BY id",
        [res.body.order?.id],
      );
      expect(rows).toEqual([
        { kind: "charge", currency: "USD", cents: 500 },
        { kind: "refund", currency: "USD", cents: 500 },
      ]);
    } finally {
      await db.end();
    }
  });
});
