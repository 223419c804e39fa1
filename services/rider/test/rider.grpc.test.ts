import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { forSuite } from "@qc/platform/testing/suite";
import { east, failureOf, startRider } from "./rider-harness";

const berlin = { lat: 52.52, lon: 13.405 };

describe.each(["redis", "memory"] as const)("rider service over gRPC (%s)", (store) => {
  const rider = forSuite(() => startRider(store, { RIDER_ASSIGN_RADIUS_KM: "5" }));

  const locate = (riderId: string, at: { lat: number; lon: number }, available = true) =>
    rider.call.updateLocation({ riderId, ...at, available });

  it(`keeps riders in ${store}`, () => {
    expect(rider.app.mode).toBe(store);
  });

  it("lists located riders nearest first with distances in km", async () => {
    const center = { lat: 48.137, lon: 11.575 };
    await locate("list-2", east(center, 2));
    await locate("list-1", east(center, 1), false);
    const { riders } = await rider.call.nearby({ ...center, radiusKm: 3, limit: 0 });
    expect(riders.map((r) => r.riderId)).toEqual(["list-1", "list-2"]);
    expect(riders[0]?.distanceKm).toBeCloseTo(1, 1);
    expect(riders[1]?.distanceKm).toBeCloseTo(2, 1);
  });

  it("rejects bad input with INVALID_ARGUMENT and its code", async () => {
    const cases: [Promise<unknown>, string][] = [
      [locate("", berlin), "INVALID_RIDER_ID"],
      [locate("r1", { lat: 91, lon: 0 }), "INVALID_LOCATION"],
      [rider.call.nearby({ ...berlin, radiusKm: 0, limit: 1 }), "INVALID_RADIUS"],
      [rider.call.nearby({ ...berlin, radiusKm: 1, limit: 101 }), "INVALID_LIMIT"],
      [rider.call.assignNearest({ orderId: "", ...berlin }), "INVALID_ORDER_ID"],
      [rider.call.assignNearest({ orderId: "o", lat: 0, lon: 200 }), "INVALID_LOCATION"],
      [rider.call.release({ orderId: "x".repeat(65), riderId: "" }), "INVALID_ORDER_ID"],
      [rider.call.release({ orderId: "o", riderId: "no rider" }), "INVALID_RIDER_ID"],
      [rider.call.hold({ orderId: "o", riderId: "" }), "INVALID_RIDER_ID"],
    ];
    for (const [call, code] of cases) expect(await failureOf(call)).toMatchObject({ status: "INVALID_ARGUMENT", code });
  });

  it("assigns the nearest free rider once per order, and frees them on release", async () => {
    const center = { lat: 50.11, lon: 8.682 };
    await locate("assign-near", east(center, 1));
    await locate("assign-far", east(center, 3));
    const first = await rider.call.assignNearest({ orderId: "g-1", ...center });
    expect(first.riderId).toBe("assign-near");
    expect(await rider.call.assignNearest({ orderId: "g-1", ...center })).toEqual(first);
    expect((await rider.call.assignNearest({ orderId: "g-2", ...center })).riderId).toBe("assign-far");
    expect(await failureOf(rider.call.assignNearest({ orderId: "g-3", ...center }))).toMatchObject({
      status: "FAILED_PRECONDITION",
      code: "NO_RIDER_AVAILABLE",
    });
    expect(await rider.call.release({ orderId: "g-1", riderId: "" })).toEqual({ released: true });
    expect(await rider.call.release({ orderId: "g-1", riderId: "" })).toEqual({ released: true });
    expect(await rider.call.release({ orderId: "g-unknown", riderId: "" })).toEqual({ released: false });
    expect((await rider.call.assignNearest({ orderId: "g-3", ...center })).riderId).toBe("assign-near");
  });

  it("re-holds a rider for an order it does not know, so the next order gets someone else", async () => {
    const center = { lat: 59.329, lon: 18.068 };
    await locate("hold-near", east(center, 1));
    await locate("hold-far", east(center, 3));
    expect(await rider.call.hold({ orderId: "h-1", riderId: "hold-near" })).toEqual({ restored: true });
    expect(await rider.call.hold({ orderId: "h-1", riderId: "hold-near" })).toEqual({ restored: false });
    expect((await rider.call.assignNearest({ orderId: "h-2", ...center })).riderId).toBe("hold-far");
    expect(await rider.call.release({ orderId: "h-1", riderId: "hold-near" })).toEqual({ released: true });
  });

  it("looks for riders only within RIDER_ASSIGN_RADIUS_KM", async () => {
    const center = { lat: 45.464, lon: 9.19 };
    await locate("too-far", east(center, 6));
    expect(await failureOf(rider.call.assignNearest({ orderId: "radius-1", ...center }))).toMatchObject({
      code: "NO_RIDER_AVAILABLE",
    });
  });

  it("gives 10 riders to exactly 10 of 100 racing orders, none twice", async () => {
    const center = { lat: 41.902, lon: 12.496 };
    await Promise.all(Array.from({ length: 10 }, (_, i) => locate(`race-${i}`, east(center, 0.2 * (i + 1)))));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => rider.call.assignNearest({ orderId: `race-order-${i}`, ...center })),
    );
    const riders = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.riderId] : []));
    expect(riders).toHaveLength(10);
    expect(new Set(riders).size).toBe(10);
    const refusals = await Promise.all(
      outcomes.flatMap((o) => (o.status === "rejected" ? [failureOf(Promise.reject(o.reason as Error))] : [])),
    );
    expect(refusals).toHaveLength(90);
    for (const r of refusals) expect(r).toMatchObject({ status: "FAILED_PRECONDITION", code: "NO_RIDER_AVAILABLE" });
  });
});

describe.each(["redis", "memory"] as const)("staleness (%s)", (store) => {
  // A window the two calls after the wait fit in on a loaded machine; the wait outlasts it.
  const rider = forSuite(() => startRider(store, { RIDER_STALE_MS: "1000" }));

  it("neither lists nor assigns a rider whose last update is older than RIDER_STALE_MS", async () => {
    await rider.call.updateLocation({ riderId: "quiet", ...berlin, available: true });
    await sleep(1_200);
    expect((await rider.call.nearby({ ...berlin, radiusKm: 1, limit: 10 })).riders).toEqual([]);
    expect(await failureOf(rider.call.assignNearest({ orderId: "stale-1", ...berlin }))).toMatchObject({
      code: "NO_RIDER_AVAILABLE",
    });
    await rider.call.updateLocation({ riderId: "quiet", ...berlin, available: true });
    expect((await rider.call.assignNearest({ orderId: "stale-1", ...berlin })).riderId).toBe("quiet");
  });
});
