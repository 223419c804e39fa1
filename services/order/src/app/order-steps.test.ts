import { AppError } from "@qc/platform/errors";
import { describe, expect, it } from "vitest";
import { eventCode } from "../domain/history";
import type { Order } from "../domain/order";
import type { DeadLetter, DeadLetterRepository } from "./dead-letter.repository.port";
import { DeadLetters } from "./dead-letters.use-case";
import type { InventoryPort, PaymentPort, RiderPort } from "./dependencies.port";
import type { NewHistory, OrderRepository } from "./order.repository.port";
import { OrderSaga } from "./order-saga";
import { compensationNamed, compensations, orderSteps } from "./order-steps";
import { RiderDispatch } from "./rider-dispatch.use-case";
import { pendingOrder, TEST_OWNER } from "./testing/pending-order";

/**
 * The compensation names dead letters stored before the registry existed, and still store: open dead
 * letters in running databases name them, so each must stay the name of its compensation.
 */
const STORED_NAMES = ["release-stock", "refund-payment", "release-rider"];

const ORDER_ID = "0a1b2c3d-0000-4000-8000-00000000abcd";

/** Ports that fail every compensation (a release that frees nobody included) until `heal`; what was called. */
function ports() {
  const state = { healthy: false, calls: [] as string[] };
  const down = () => Promise.reject(new AppError("unavailable", "SERVICE_UNAVAILABLE", "connection refused"));
  const inventory: InventoryPort = {
    catalog: async () => new Map(),
    deductStock: async (_id, lines) => ({
      lines: lines.map((l) => ({ ...l, unitPriceCents: 150 })),
      totalCents: 300,
      currency: "EUR",
    }),
    addStock: async () => {
      state.calls.push("addStock");
      return state.healthy ? { restored: true } : down();
    },
  };
  const payment: PaymentPort = {
    // The charge's outcome is unknown: the saga refunds it and returns the stock.
    charge: down,
    refund: async () => {
      state.calls.push("refund");
      return state.healthy ? { refunded: true } : down();
    },
  };
  const riders: RiderPort = {
    assignNearest: async () => ({ riderId: "r-1" }),
    hold: async () => ({ restored: false }),
    release: async (_orderId, riderId) => {
      state.calls.push(`release ${riderId}`);
      return { released: state.healthy };
    },
  };
  return { inventory, payment, riders, state, heal: () => (state.healthy = true) };
}

/** Dead letters in memory, locked one at a time as the repository does. */
function deadLetterStore() {
  const entries: DeadLetter[] = [];
  const repo = {
    add: async (e) => void entries.push({ ...e, status: "open", createdAt: new Date(), updatedAt: new Date() }),
    withLocked: async (id, work) => {
      const index = entries.findIndex((d) => d.status === "open" && (id === null || d.id === id));
      const entry = entries[index];
      if (!entry) return null;
      const { resolved, result } = await work(entry);
      if (resolved) entries[index] = { ...entry, status: "resolved" };
      return result;
    },
  } satisfies Partial<DeadLetterRepository> as unknown as DeadLetterRepository;
  return { entries, repo };
}

describe("the order's steps", () => {
  it("name their compensations as stored dead letters do", () => {
    expect(compensations.map((c) => c.name)).toEqual(STORED_NAMES);
    for (const name of STORED_NAMES) expect(compensationNamed(name)?.name).toBe(name);
    expect(compensationNamed("release-everything")).toBeUndefined();
  });

  it("give every step and compensation its own history code", () => {
    const fallback = (name: string) => `${name}_DONE`.toUpperCase().replaceAll("-", "_");
    for (const step of Object.values(orderSteps)) {
      for (const name of [step.name, step.compensate.name]) expect(eventCode(name, "done")).not.toBe(fallback(name));
    }
  });

  it("let the replay run every compensation the saga and rider dispatch can dead-letter", async () => {
    const p = ports();
    const store = deadLetterStore();
    let order: Order = pendingOrder({ id: ORDER_ID });
    const history: NewHistory[] = [];
    const orders = {
      get: async () => order,
      recordFailing: async () => undefined,
      finish: async (_id, _owner, status) => {
        order = { ...order, status };
        return new Date();
      },
      appendHistory: async (_id, h) => void history.push(...h),
      markDelivered: async () => true,
    } satisfies Partial<OrderRepository> as unknown as OrderRepository;
    const saga = new OrderSaga({
      orders,
      deadLetters: store.repo,
      inventory: p.inventory,
      payment: p.payment,
      owner: TEST_OWNER,
      compensation: { attempts: 2, backoffMs: 0, deadLetterRetryMs: 0 },
      newId: () => `dl-${store.entries.length + 1}`,
    });
    await saga.drive(ORDER_ID);
    expect(order.status).toBe("FAILED");
    // A delivered order whose rider the rider service does not free.
    order = { ...order, status: "CONFIRMED", riderId: "r-1" };
    await new RiderDispatch(orders, p.riders, saga, { lat: 0, lon: 0 }).markDelivered(ORDER_ID, "r-1");
    expect(store.entries.map((d) => d.step).sort()).toEqual([...STORED_NAMES].sort());

    p.heal();
    p.state.calls.length = 0;
    const replay = new DeadLetters(store.repo, orders, p.inventory, p.payment, p.riders, 0);
    for (const { id } of [...store.entries])
      await expect(replay.replay(id)).resolves.toMatchObject({ status: "resolved" });
    expect(p.state.calls.sort()).toEqual(["addStock", "refund", "release r-1"]);
    expect(
      history
        .filter((h) => h.detail.startsWith("dead letter resolved"))
        .map((h) => h.step)
        .sort(),
    ).toEqual([...STORED_NAMES].sort());
  });

  it("keep a dead letter that names no step open, saying so", async () => {
    const store = deadLetterStore();
    await store.repo.add({
      id: "dl-x",
      orderId: ORDER_ID,
      step: "release-everything",
      error: "",
      attempts: 3,
      nextAttemptAt: new Date(0),
    });
    const p = ports();
    p.heal();
    const orders = { get: async () => null, appendHistory: async () => undefined } as unknown as OrderRepository;
    const replay = new DeadLetters(store.repo, orders, p.inventory, p.payment, p.riders, 0);
    const failure = replay.replay("dl-x");
    await expect(failure).rejects.toMatchObject({ code: "DEAD_LETTER_STILL_FAILING" });
    await expect(failure).rejects.toThrow("no compensation named release-everything");
    expect(store.entries[0]?.status).toBe("open");
  });
});
