import { AppError, refused, withOutcomeUnknown } from "@qc/platform/errors";
import { describe, expect, it } from "vitest";
import type { Order } from "../domain/order";
import type { DeadLetterRepository } from "./dead-letter.repository.port";
import type { InventoryPort, PaymentPort } from "./dependencies.port";
import { LeaseLostError, type NewHistory, type OrderRepository } from "./order.repository.port";
import { OrderSaga } from "./order-saga";
import { pendingOrder, TEST_OWNER } from "./testing/pending-order";

const OWNER = TEST_OWNER;
const unavailable = () => new AppError("unavailable", "SERVICE_UNAVAILABLE", "connection refused");

/** An in-memory order store that fences writes by lease owner like the real one. */
function fakeOrders(order: Order, leaseOwner = OWNER) {
  const state = { status: order.status, reason: order.failureReason, history: [] as NewHistory[], total: 0 };
  const fence = (owner: string) => {
    if (owner !== leaseOwner || state.status !== "PENDING") throw new LeaseLostError("lost");
  };
  const repo: Pick<OrderRepository, "get" | "recordFailing" | "finish"> = {
    get: async () => ({ ...order, status: state.status, failureReason: state.reason, sagaOwner: leaseOwner }),
    recordFailing: async (_id, owner, reason, reservation, history) => {
      fence(owner);
      state.reason = reason;
      state.total = reservation?.totalCents ?? state.total;
      state.history.push(...history);
    },
    finish: async (_id, owner, status, reason, reservation, history) => {
      fence(owner);
      state.status = status;
      state.reason = reason;
      state.total = reservation?.totalCents ?? state.total;
      state.history.push(...history);
      return new Date();
    },
  };
  return { repo: repo as OrderRepository, state };
}

interface Behaviour {
  deduct?: () => Promise<void>;
  charge?: () => Promise<void>;
  addStock?: () => Promise<void>;
  refund?: () => Promise<void>;
  /** The unit price Inventory reserves at (150 unless given). */
  unitPriceCents?: number;
  /** The currency of the products (EUR unless given). */
  currency?: string;
}

function fakeDeps(behaviour: Behaviour = {}) {
  const calls = { deduct: 0, charge: 0, addStock: 0, refund: 0 };
  const unit = behaviour.unitPriceCents ?? 150;
  const currency = behaviour.currency ?? "EUR";
  const charged: Parameters<PaymentPort["charge"]>[] = [];
  const inventory: InventoryPort = {
    catalog: async (skus) => new Map(skus.map((sku) => [sku, { priceCents: unit, currency }])),
    deductStock: async (_id, lines) => {
      calls.deduct++;
      await behaviour.deduct?.();
      return {
        lines: lines.map((l) => ({ ...l, unitPriceCents: unit })),
        totalCents: lines.reduce((sum, l) => sum + l.quantity * unit, 0),
        currency,
      };
    },
    addStock: async () => {
      calls.addStock++;
      await behaviour.addStock?.();
      return { restored: true };
    },
  };
  const payment: PaymentPort = {
    charge: async (...args) => {
      charged.push(args);
      calls.charge++;
      await behaviour.charge?.();
      return { chargeId: "ch-1" };
    },
    refund: async () => {
      calls.refund++;
      await behaviour.refund?.();
      return { refunded: true };
    },
  };
  const deadLetters: { step: string; attempts: number }[] = [];
  const deadLetterRepo = {
    add: async (e: { step: string; attempts: number }) => void deadLetters.push(e),
  } as unknown as DeadLetterRepository;
  return { inventory, payment, calls, charged, deadLetters, deadLetterRepo };
}

function sagaFor(order: Order, behaviour: Parameters<typeof fakeDeps>[0] = {}, leaseOwner = OWNER) {
  const orders = fakeOrders(order, leaseOwner);
  const deps = fakeDeps(behaviour);
  const saga = new OrderSaga({
    orders: orders.repo,
    deadLetters: deps.deadLetterRepo,
    inventory: deps.inventory,
    payment: deps.payment,
    owner: OWNER,
    compensation: { attempts: 3, backoffMs: 1, deadLetterRetryMs: 1000 },
    newId: () => "dl-1",
  });
  return { saga, ...orders, ...deps };
}

const steps = (history: NewHistory[]) => history.map((h) => `${h.step}:${h.outcome}`);

describe("OrderSaga", () => {
  it("confirms an order of total 0 without calling Payment: stock reserved, nothing charged", async () => {
    const t = sagaFor(pendingOrder(), { unitPriceCents: 0 });
    const order = await t.saga.drive(pendingOrder());
    expect(order).toMatchObject({ status: "CONFIRMED", totalCents: 0 });
    expect(t.calls).toEqual({ deduct: 1, charge: 0, addStock: 0, refund: 0 });
    expect(steps(t.state.history)).toEqual(["reserve-stock:done", "charge-payment:skipped", "saga:confirmed"]);
    expect(t.state.history.find((h) => h.step === "charge-payment")?.code).toBe("NOTHING_TO_CHARGE");
  });

  it("confirms an order when stock and payment succeed, compensating nothing", async () => {
    const t = sagaFor(pendingOrder());
    const final = await t.saga.drive("o-1");
    expect(final).toMatchObject({
      status: "CONFIRMED",
      totalCents: 300,
      lines: [{ sku: "apple", quantity: 2, priceCents: 150 }],
    });
    expect(t.state.status).toBe("CONFIRMED");
    expect(t.state.total).toBe(300);
    expect(t.calls).toEqual({ deduct: 1, charge: 1, addStock: 0, refund: 0 });
    expect(steps(t.state.history)).toEqual(["reserve-stock:done", "charge-payment:done", "saga:confirmed"]);
  });

  it("charges the reserved total in the reservation's currency, also when a replica takes the saga over", async () => {
    const t = sagaFor(pendingOrder(), { currency: "USD" });
    expect(await t.saga.drive("o-1")).toMatchObject({ status: "CONFIRMED", totalCents: 300, currency: "USD" });
    // A takeover knows nothing but the order row: the repeated reservation names the currency again.
    const taken = sagaFor(pendingOrder(), { currency: "USD" });
    await taken.saga.drive("o-1", true);
    const customerId = pendingOrder().customerId;
    expect([...t.charged, ...taken.charged]).toEqual([
      ["o-1", customerId, 300, "USD"],
      ["o-1", customerId, 300, "USD"],
    ]);
  });

  it("fails OUT_OF_STOCK without charging or compensating when stock is short", async () => {
    const t = sagaFor(pendingOrder(), {
      deduct: async () => Promise.reject(refused("OUT_OF_STOCK", "apple is short")),
    });
    await t.saga.drive("o-1");
    expect(t.state).toMatchObject({ status: "FAILED", reason: "OUT_OF_STOCK" });
    expect(t.calls).toEqual({ deduct: 1, charge: 0, addStock: 0, refund: 0 });
  });

  it("returns the stock and fails PAYMENT_DECLINED when the charge is declined", async () => {
    const t = sagaFor(pendingOrder(), {
      charge: async () => Promise.reject(refused("PAYMENT_DECLINED", "balance too low")),
    });
    await t.saga.drive("o-1");
    expect(t.state).toMatchObject({ status: "FAILED", reason: "PAYMENT_DECLINED" });
    expect(t.calls).toEqual({ deduct: 1, charge: 1, addStock: 1, refund: 0 });
    expect(steps(t.state.history)).toEqual([
      "reserve-stock:done",
      "charge-payment:refused",
      "release-stock:done",
      "saga:failed",
    ]);
  });

  it("refunds and returns stock when the charge outcome is unknown", async () => {
    const t = sagaFor(pendingOrder(), { charge: async () => Promise.reject(unavailable()) });
    await t.saga.drive("o-1");
    expect(t.state).toMatchObject({ status: "FAILED", reason: "SERVICE_UNAVAILABLE" });
    expect(t.calls).toMatchObject({ refund: 1, addStock: 1 });
    // Undo runs in reverse: the refund before the stock.
    expect(steps(t.state.history).slice(2, 4)).toEqual(["refund-payment:done", "release-stock:done"]);
  });

  it("compensates a deduct whose outcome is unknown", async () => {
    const t = sagaFor(pendingOrder(), { deduct: async () => Promise.reject(unavailable()) });
    await t.saga.drive("o-1");
    expect(t.state).toMatchObject({ status: "FAILED", reason: "SERVICE_UNAVAILABLE" });
    expect(t.calls).toEqual({ deduct: 1, charge: 0, addStock: 1, refund: 0 });
  });

  it("does not compensate a step whose call never left the process (open circuit)", async () => {
    const t = sagaFor(pendingOrder(), {
      deduct: async () => Promise.reject(new AppError("unavailable", "CIRCUIT_OPEN", "Circuit Open")),
    });
    await t.saga.drive("o-1");
    expect(t.state).toMatchObject({ status: "FAILED", reason: "SERVICE_UNAVAILABLE" });
    expect(t.calls).toEqual({ deduct: 1, charge: 0, addStock: 0, refund: 0 });
  });

  it.each([
    ["an open circuit", () => new AppError("unavailable", "CIRCUIT_OPEN", "Circuit Open")],
    ["a refusal", () => refused("ORDER_RELEASED", "released")],
  ])("compensates a deduct that ended in %s after an earlier attempt may have landed", async (_name, last) => {
    const t = sagaFor(pendingOrder(), { deduct: async () => Promise.reject(withOutcomeUnknown(last())) });
    await t.saga.drive("o-1");
    expect(t.state).toMatchObject({ status: "FAILED" });
    expect(t.calls).toEqual({ deduct: 1, charge: 0, addStock: 1, refund: 0 });
  });

  it("refunds a charge that ended in an open circuit after an earlier attempt may have landed", async () => {
    const t = sagaFor(pendingOrder(), {
      charge: async () =>
        Promise.reject(withOutcomeUnknown(new AppError("unavailable", "CIRCUIT_OPEN", "Circuit Open"))),
    });
    await t.saga.drive("o-1");
    expect(t.state).toMatchObject({ status: "FAILED", reason: "SERVICE_UNAVAILABLE" });
    expect(t.calls).toEqual({ deduct: 1, charge: 1, addStock: 1, refund: 1 });
  });

  it("undoes every step when a taken-over saga fails, however certain the failure (the dead driver may have charged)", async () => {
    const t = sagaFor(pendingOrder(), {
      deduct: async () => Promise.reject(new AppError("unavailable", "CIRCUIT_OPEN", "Circuit Open")),
    });
    await t.saga.drive("o-1", true);
    expect(t.state).toMatchObject({ status: "FAILED", reason: "SERVICE_UNAVAILABLE" });
    expect(t.calls).toEqual({ deduct: 1, charge: 0, addStock: 1, refund: 1 });
  });

  it("retries a compensation that fails transiently, without a dead letter", async () => {
    let failures = 2;
    const t = sagaFor(pendingOrder(), {
      charge: async () => Promise.reject(refused("PAYMENT_DECLINED", "no money")),
      addStock: async () => (failures-- > 0 ? Promise.reject(unavailable()) : undefined),
    });
    await t.saga.drive("o-1");
    expect(t.calls.addStock).toBe(3);
    expect(t.deadLetters).toEqual([]);
    expect(steps(t.state.history).filter((s) => s.startsWith("release-stock"))).toEqual([
      "release-stock:retry",
      "release-stock:retry",
      "release-stock:done",
    ]);
  });

  it("stores a dead letter when a compensation fails every attempt, and still ends FAILED", async () => {
    const t = sagaFor(pendingOrder(), {
      charge: async () => Promise.reject(refused("PAYMENT_DECLINED", "no money")),
      addStock: async () => Promise.reject(unavailable()),
    });
    await t.saga.drive("o-1");
    expect(t.calls.addStock).toBe(3);
    expect(t.deadLetters).toMatchObject([{ step: "release-stock", attempts: 3 }]);
    expect(t.state).toMatchObject({ status: "FAILED", reason: "PAYMENT_DECLINED" });
  });

  it("finishes the compensation of an order that a crashed replica had decided to fail", async () => {
    const t = sagaFor(pendingOrder({ failureReason: "PAYMENT_DECLINED" }));
    await t.saga.drive("o-1");
    expect(t.calls).toEqual({ deduct: 0, charge: 0, addStock: 1, refund: 1 });
    expect(t.state).toMatchObject({ status: "FAILED", reason: "PAYMENT_DECLINED" });
  });

  it("never drives one saga twice at once in one replica: a replica that was frozen past its own lease does not take over what it still drives", async () => {
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const t = sagaFor(pendingOrder(), { deduct: () => blocked });
    const first = t.saga.drive("o-1");
    await new Promise((r) => setTimeout(r, 0));
    // The recovery loop of the same replica finds the order's lease expired and claims it.
    const second = t.saga.drive("o-1", true);
    await expect(
      Promise.race([second, new Promise((r) => setTimeout(() => r("driving it a second time"), 100))]),
    ).resolves.toBeNull();
    unblock();
    await first;
    expect(t.calls.deduct).toBe(1);
    expect(steps(t.state.history)).not.toContain("saga:taken-over");
    expect(t.state.status).toBe("CONFIRMED");
  });

  it("stops quietly when another replica holds the lease", async () => {
    const t = sagaFor(pendingOrder(), {}, "replica-b");
    await expect(t.saga.drive("o-1")).resolves.toBeNull();
    expect(t.state.status).toBe("PENDING");
    expect(t.calls.charge).toBe(0);
  });

  it("leaves an order that is no longer PENDING alone", async () => {
    const t = sagaFor(pendingOrder({ status: "CONFIRMED" }));
    await t.saga.drive("o-1");
    expect(t.calls.deduct).toBe(0);
  });
});
