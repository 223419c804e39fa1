import { refused } from "@qc/platform/errors";
import { describe, expect, it, vi } from "vitest";
import type { Order } from "../domain/order";
import type { RiderPort } from "./dependencies.port";
import type { OrderRepository } from "./order.repository.port";
import { RiderDispatch } from "./rider-dispatch.use-case";

const ORDER_ID = "0a1b2c3d-0000-4000-8000-00000000abcd";

const confirmed = (o: Partial<Order> = {}): Order =>
  ({ id: ORDER_ID, customerId: "alice", status: "CONFIRMED", riderId: null, deliveryLocation: null, history: [], ...o }) as Order;

function setup(riders: Partial<RiderPort>, stored: Order = confirmed()) {
  let current = stored;
  const repo = {
    assignRider: vi.fn(async (_id: string, riderId: string) => {
      current = { ...current, riderId };
      return true;
    }),
    appendHistory: vi.fn(async () => undefined),
    markDelivered: vi.fn(async (_id: string, riderId: string) => {
      if (current.status !== "CONFIRMED" || current.riderId !== riderId) return false;
      current = { ...current, status: "DELIVERED" };
      return true;
    }),
    get: vi.fn(async () => current),
    listAwaitingRider: vi.fn(async () => (current.riderId ? [] : [current])),
  };
  const releases: string[] = [];
  const saga = { compensateOutsideSaga: vi.fn(async (_o: Order, _name: string, run: () => Promise<unknown>) => void (await run())) };
  const port: RiderPort = {
    assignNearest: riders.assignNearest ?? (async () => ({ riderId: "r-1" })),
    release: async (orderId) => {
      releases.push(orderId);
      return { released: true };
    },
  };
  const dispatch = new RiderDispatch(repo as unknown as OrderRepository, port, saga, { lat: 52.52, lon: 13.41 });
  return { dispatch, repo, releases };
}

describe("RiderDispatch", () => {
  it("assigns the nearest rider to the store's location when the order has none", async () => {
    const assignNearest = vi.fn(async () => ({ riderId: "r-7" }));
    const t = setup({ assignNearest });
    const order = await t.dispatch.assign(confirmed());
    expect(order.riderId).toBe("r-7");
    expect(assignNearest).toHaveBeenCalledWith(ORDER_ID, 52.52, 13.41);
  });

  it("keeps a paid order CONFIRMED when no rider is free, writing nothing, and retries in the background", async () => {
    let free = false;
    const t = setup({ assignNearest: async () => (free ? { riderId: "r-2" } : Promise.reject(refused("NO_RIDER_AVAILABLE", "none"))) });
    const order = await t.dispatch.assign(confirmed());
    expect(order).toMatchObject({ status: "CONFIRMED", riderId: null });
    expect(await t.dispatch.assignWaiting()).toBe(0);
    expect(t.repo.appendHistory).not.toHaveBeenCalled();
    expect(t.repo.assignRider).not.toHaveBeenCalled();
    free = true;
    expect(await t.dispatch.assignWaiting()).toBe(1);
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
