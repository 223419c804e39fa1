import { refused } from "@qc/platform/errors";
import { describe, expect, it, vi } from "vitest";
import type { Order } from "../domain/order";
import type { DeadLetterRepository } from "./dead-letter.repository.port";
import type { InventoryPort, PaymentPort, RiderPort } from "./dependencies.port";
import type { NewHistory, OrderRepository, RiderAssignment } from "./order.repository.port";
import { OrderSaga } from "./order-saga";
import { RiderDispatch } from "./rider-dispatch.use-case";

const ORDER_ID = "0a1b2c3d-0000-4000-8000-00000000abcd";

const confirmed = (o: Partial<Order> = {}): Order =>
  ({
    id: ORDER_ID,
    customerId: "alice",
    status: "CONFIRMED",
    riderId: null,
    deliveryLocation: null,
    history: [],
    ...o,
  }) as Order;

/** The real saga's retries and dead letter, over fakes that record what it wrote. */
function retryingSaga(attempts = 3) {
  const history: NewHistory[] = [];
  const deadLetters = { add: vi.fn(async (_e: { orderId: string; step: string; error: string }) => undefined) };
  const saga = new OrderSaga({
    orders: {
      appendHistory: async (_id: string, h: readonly NewHistory[]) => void history.push(...h),
    } as unknown as OrderRepository,
    deadLetters: deadLetters as unknown as DeadLetterRepository,
    inventory: {} as InventoryPort,
    payment: {} as PaymentPort,
    owner: "me",
    compensation: { attempts, backoffMs: 0, deadLetterRetryMs: 1_000 },
    newId: () => "dl-1",
  });
  return { saga, history, deadLetters };
}

/**
 * Dispatch over one stored order. `activeOrders` (rider → order) are other orders the database
 * has those riders carrying: assigning such a rider is refused, as the repository does.
 */
function setup(
  riders: Partial<RiderPort>,
  stored: Order = confirmed(),
  saga?: Pick<OrderSaga, "compensateOutsideSaga">,
  activeOrders: Record<string, string> = {},
) {
  let current = stored;
  const repo = {
    assignRider: vi.fn(async (_id: string, riderId: string): Promise<RiderAssignment> => {
      const activeOrderId = activeOrders[riderId];
      if (activeOrderId !== undefined) return { kind: "rider-busy", activeOrderId };
      if (current.status !== "CONFIRMED" || current.riderId !== null) return { kind: "not-waiting" };
      current = { ...current, riderId };
      return { kind: "assigned", updatedAt: new Date() };
    }),
    appendHistory: vi.fn(async () => undefined),
    markDelivered: vi.fn(async (_id: string, riderId: string) => {
      if (current.status !== "CONFIRMED" || current.riderId !== riderId) return false;
      current = { ...current, status: "DELIVERED" };
      return true;
    }),
    get: vi.fn(async () => current),
    listAwaitingRider: vi.fn(async () => (current.riderId ? [] : [current])),
    activeForRider: vi.fn(async (riderId: string) =>
      current.status === "CONFIRMED" && current.riderId === riderId ? current : null,
    ),
  };
  const releases: string[] = [];
  const releasedBy: (string | undefined)[] = [];
  const holds: [string, string][] = [];
  const port: RiderPort = {
    assignNearest: riders.assignNearest ?? (async () => ({ riderId: "r-1" })),
    hold: async (orderId, riderId) => {
      holds.push([orderId, riderId]);
      return { restored: true };
    },
    release: async (orderId, riderId) => {
      releases.push(orderId);
      releasedBy.push(riderId);
      return riders.release ? riders.release(orderId, riderId) : { released: true };
    },
  };
  const runOnce = {
    compensateOutsideSaga: vi.fn(async (_o: Order, _name: string, run: () => Promise<unknown>) => void (await run())),
  };
  const dispatch = new RiderDispatch(repo as unknown as OrderRepository, port, saga ?? runOnce, {
    lat: 52.52,
    lon: 13.41,
  });
  return { dispatch, repo, releases, releasedBy, holds };
}

describe("RiderDispatch", () => {
  it("assigns the nearest rider to the store's location when the order has none", async () => {
    const assignNearest = vi.fn(async () => ({ riderId: "r-7" }));
    const t = setup({ assignNearest });
    const order = await t.dispatch.assign(confirmed());
    expect(order.riderId).toBe("r-7");
    expect(assignNearest).toHaveBeenCalledWith(ORDER_ID, 52.52, 13.41);
  });

  it("answers the order as stored when another pass gave it a rider first (the background retry raced it)", async () => {
    const t = setup({ assignNearest: async () => ({ riderId: "r-7" }) }, confirmed({ riderId: "r-7" }));
    const order = await t.dispatch.assign(confirmed());
    expect(order.riderId).toBe("r-7");
    expect(t.repo.get).toHaveBeenCalledTimes(1);
  });

  it("keeps a paid order CONFIRMED when no rider is free, writing nothing, and retries in the background", async () => {
    let free = false;
    const t = setup({
      assignNearest: async () => (free ? { riderId: "r-2" } : Promise.reject(refused("NO_RIDER_AVAILABLE", "none"))),
    });
    const order = await t.dispatch.assign(confirmed());
    expect(order).toMatchObject({ status: "CONFIRMED", riderId: null });
    expect(await t.dispatch.assignWaiting()).toEqual({ waiting: 1, assigned: 0 });
    expect(t.repo.appendHistory).not.toHaveBeenCalled();
    expect(t.repo.assignRider).not.toHaveBeenCalled();
    free = true;
    expect(await t.dispatch.assignWaiting()).toEqual({ waiting: 1, assigned: 1 });
  });

  it("never gives a rider a second active order: re-asserts the one they carry, and this order waits for someone else", async () => {
    const ACTIVE = "0a1b2c3d-0000-4000-8000-0000000000aa";
    let next = "r-busy";
    // The rider service forgot that r-busy carries ACTIVE (it restarted) and offers them again.
    const t = setup({ assignNearest: async () => ({ riderId: next }) }, confirmed(), undefined, { "r-busy": ACTIVE });
    const order = await t.dispatch.assign(confirmed());
    expect(order).toMatchObject({ status: "CONFIRMED", riderId: null });
    expect(t.holds).toEqual([[ACTIVE, "r-busy"]]);
    expect(t.repo.appendHistory).not.toHaveBeenCalled();
    next = "r-2";
    expect(await t.dispatch.assignWaiting()).toEqual({ waiting: 1, assigned: 1 });
    expect((await t.repo.get()).riderId).toBe("r-2");
  });

  it("lets only the assigned rider deliver, then frees the rider", async () => {
    const t = setup({}, confirmed({ riderId: "r-1" }));
    await expect(t.dispatch.markDelivered(ORDER_ID, "r-9")).rejects.toMatchObject({ code: "ORDER_NOT_FOUND" });
    const delivered = await t.dispatch.markDelivered(ORDER_ID, "r-1");
    expect(delivered.status).toBe("DELIVERED");
    expect(t.releases).toEqual([ORDER_ID]);
    // A repeat is answered, not refused, and frees nobody twice.
    await expect(t.dispatch.markDelivered(ORDER_ID, "r-1")).resolves.toMatchObject({ status: "DELIVERED" });
    expect(t.releases).toEqual([ORDER_ID]);
  });

  it("answers a rider's assignment until they deliver it, and nobody's for an empty rider id", async () => {
    const t = setup({}, confirmed({ riderId: "r-1", deliveryLocation: { lat: 52.5, lon: 13.4 } }));
    await expect(t.dispatch.assignmentOf("r-1")).resolves.toMatchObject({
      id: ORDER_ID,
      deliveryLocation: { lat: 52.5, lon: 13.4 },
    });
    await expect(t.dispatch.assignmentOf("r-9")).resolves.toBeNull();
    await expect(t.dispatch.assignmentOf(" ")).resolves.toBeNull();
    expect(t.repo.activeForRider).toHaveBeenCalledTimes(2);
    await t.dispatch.markDelivered(ORDER_ID, "r-1");
    await expect(t.dispatch.assignmentOf("r-1")).resolves.toBeNull();
  });

  it("frees the rider the order records, naming them to the rider service", async () => {
    const t = setup({}, confirmed({ riderId: "r-1" }));
    await t.dispatch.markDelivered(ORDER_ID, "r-1");
    expect(t.releasedBy).toEqual(["r-1"]);
  });

  it("retries a release that frees nothing, then dead-letters it as RIDER_NOT_RELEASED, never recording it done", async () => {
    const { saga, history, deadLetters } = retryingSaga(3);
    const t = setup({ release: async () => ({ released: false }) }, confirmed({ riderId: "r-1" }), saga);
    await expect(t.dispatch.markDelivered(ORDER_ID, "r-1")).resolves.toMatchObject({ status: "DELIVERED" });
    expect(t.releases).toEqual([ORDER_ID, ORDER_ID, ORDER_ID]);
    expect(deadLetters.add).toHaveBeenCalledTimes(1);
    const dead = deadLetters.add.mock.calls[0]?.[0];
    expect(dead).toMatchObject({ orderId: ORDER_ID, step: "release-rider" });
    expect(dead?.error).toMatch(/^RIDER_NOT_RELEASED/);
    expect(history.map((h) => `${h.step}:${h.outcome}`)).toEqual([
      "release-rider:retry",
      "release-rider:retry",
      "release-rider:retry",
      "release-rider:dead-lettered",
    ]);
  });

  it("records a release done once the rider service answers released, a repeat of a lost answer included", async () => {
    const { saga, history, deadLetters } = retryingSaga(3);
    let calls = 0;
    // The first release arrives, but its answer is lost; the retry is answered released (a repeat).
    const release = async () => (++calls === 1 ? Promise.reject(new Error("connection reset")) : { released: true });
    const t = setup({ release }, confirmed({ riderId: "r-1" }), saga);
    await t.dispatch.markDelivered(ORDER_ID, "r-1");
    expect(deadLetters.add).not.toHaveBeenCalled();
    expect(history.map((h) => `${h.step}:${h.outcome}`)).toEqual(["release-rider:retry", "release-rider:done"]);
  });

  it("refuses to deliver an order that is not confirmed", async () => {
    const t = setup({}, confirmed({ status: "PENDING", riderId: "r-1" }));
    await expect(t.dispatch.markDelivered(ORDER_ID, "r-1")).rejects.toMatchObject({ code: "ORDER_NOT_DELIVERABLE" });
  });

  it("takes the order id in any case and frees the rider of the stored order, not of the id as typed", async () => {
    const t = setup({}, confirmed({ riderId: "r-1" }));
    const delivered = await t.dispatch.markDelivered(ORDER_ID.toUpperCase(), "r-1");
    expect(delivered).toMatchObject({ id: ORDER_ID, status: "DELIVERED" });
    expect(t.repo.markDelivered).toHaveBeenCalledWith(ORDER_ID, "r-1", expect.anything());
    expect(t.releases).toEqual([ORDER_ID]);
  });

  it("answers ORDER_NOT_FOUND for an id that is no order id, touching nothing", async () => {
    const t = setup({}, confirmed({ riderId: "r-1" }));
    await expect(t.dispatch.markDelivered("o-1", "r-1")).rejects.toMatchObject({ code: "ORDER_NOT_FOUND" });
    expect(t.repo.markDelivered).not.toHaveBeenCalled();
    expect(t.releases).toEqual([]);
  });
});
