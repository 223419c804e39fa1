import { describe, expect, it } from "vitest";
import { historyEntry } from "../domain/history";
import type { Order, OrderStatus } from "../domain/order";
import type { OrderChanges } from "./order-changes.port";
import { OrderWatch, type OrderSnapshot } from "./order-watch.use-case";
import { pendingOrder } from "./testing/pending-order";

const ID = "0b8f1f0e-5f2c-4c5e-9a53-2a4d8f7c1e01";

/** An order store the test writes to, and a change feed it pokes by hand (as NOTIFY would). */
function setup(rereadMs = 60_000) {
  let order: Order | null = pendingOrder({ id: ID, history: [historyEntry("order", "created")] });
  let reads = 0;
  const subscribers = new Map<string, Set<() => void>>();
  const changes: OrderChanges = {
    subscribe: (id, onChange) => {
      const set = subscribers.get(id) ?? new Set();
      subscribers.set(id, set.add(onChange));
      return () => set.delete(onChange);
    },
  };
  const repo = { get: async (id: string) => (reads++, id === ID ? order : null) };
  const watch = new OrderWatch(repo, changes, { rereadMs });
  return {
    watch,
    reads: () => reads,
    subscribed: () => subscribers.get(ID)?.size ?? 0,
    /** Writes a change (a status and one more history entry) and tells the feed, `notifications` times. */
    change(status: OrderStatus, notifications = 1, step = "step") {
      if (!order) throw new Error("no order");
      order = { ...order, status, history: [...order.history, historyEntry(step, "done")] };
      for (let i = 0; i < notifications; i++) for (const poke of subscribers.get(ID) ?? []) poke();
    },
    /** Tells the feed without any change (a gap, or a write that added no entry). */
    poke() {
      for (const poke of subscribers.get(ID) ?? []) poke();
    },
  };
}

/** Reads snapshots from `it` as they come; `next()` waits for one (or the end: null). */
function reader(it: AsyncGenerator<OrderSnapshot>) {
  return {
    next: async (): Promise<OrderSnapshot | null> => {
      const r = await it.next();
      return r.done ? null : r.value;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe("OrderWatch", () => {
  it("sends the order now, then each change once, and ends after a terminal state", async () => {
    const t = setup();
    const r = reader(t.watch.watch(ID, new AbortController().signal));
    expect(await r.next()).toMatchObject({ version: 1, order: { status: "PENDING" } });
    t.change("CONFIRMED", 3); // told three times: one read, one snapshot
    expect(await r.next()).toMatchObject({ version: 2, order: { status: "CONFIRMED" } });
    t.change("CONFIRMED", 1, "assign-rider");
    expect(await r.next()).toMatchObject({ version: 3 });
    t.change("DELIVERED");
    expect(await r.next()).toMatchObject({ version: 4, order: { status: "DELIVERED" } });
    expect(await r.next()).toBeNull();
    expect(t.subscribed()).toBe(0);
  });

  it("sends nothing for a poke that changed nothing", async () => {
    const t = setup();
    const r = reader(t.watch.watch(ID, new AbortController().signal));
    await r.next();
    const pending = r.next();
    t.poke();
    await settle();
    t.change("FAILED");
    expect(await pending).toMatchObject({ version: 2, order: { status: "FAILED" } });
  });

  it("ends at once after a terminal order's one snapshot", async () => {
    const t = setup();
    t.change("FAILED");
    const r = reader(t.watch.watch(ID, new AbortController().signal));
    expect(await r.next()).toMatchObject({ version: 2, order: { status: "FAILED" } });
    expect(await r.next()).toBeNull();
  });

  it("takes an id in any case, and answers ORDER_NOT_FOUND for no order or no order id", async () => {
    const t = setup();
    expect(await reader(t.watch.watch(ID.toUpperCase(), new AbortController().signal)).next()).toMatchObject({
      version: 1,
    });
    for (const id of ["0b8f1f0e-5f2c-4c5e-9a53-2a4d8f7c1e02", "not-an-id"]) {
      await expect(reader(t.watch.watch(id, new AbortController().signal)).next()).rejects.toMatchObject({
        code: "ORDER_NOT_FOUND",
      });
    }
  });

  it("stops when its caller goes away, and every watch when closed, unsubscribing", async () => {
    const t = setup();
    const gone = new AbortController();
    const a = reader(t.watch.watch(ID, gone.signal));
    const b = reader(t.watch.watch(ID, new AbortController().signal));
    await a.next();
    await b.next();
    const [endA, endB] = [a.next(), b.next()];
    gone.abort();
    expect(await endA).toBeNull();
    t.watch.close();
    expect(await endB).toBeNull();
    expect(t.subscribed()).toBe(0);
    // Closed: a watch that starts now ends at once (its caller comes back to another replica).
    expect(await reader(t.watch.watch(ID, new AbortController().signal)).next()).toBeNull();
  });

  it("reads the order again after rereadMs even when no change was told of", async () => {
    const t = setup(20);
    const r = reader(t.watch.watch(ID, new AbortController().signal));
    await r.next();
    const next = r.next();
    const before = t.reads();
    await new Promise((res) => setTimeout(res, 70));
    expect(t.reads()).toBeGreaterThan(before);
    t.change("FAILED", 0); // written, but no notification came
    expect(await next).toMatchObject({ order: { status: "FAILED" } });
  });
});
