import { rejectionOf } from "@qc/platform/testing";
import { describe, expect, it, vi } from "vitest";
import type { RiderDistance } from "../domain/rider-distance";
import type { RiderPosition } from "../domain/rider-position";
import type { RiderIndex } from "./rider-index.port";
import { riderUseCases } from "./rider-use-cases";

const policy = { staleMs: 60_000, assignRadiusKm: 10 };

/** An index whose assignNearest and release answer as given, recording every call. */
function fakeIndex(answers: { assigned?: RiderDistance; released?: boolean } = {}) {
  return {
    update: vi.fn(async () => undefined),
    nearby: vi.fn(async (): Promise<RiderDistance[]> => []),
    assignNearest: vi.fn(async () => answers.assigned),
    release: vi.fn(async () => answers.released ?? false),
    hold: vi.fn(async () => true),
    list: vi.fn(async (): Promise<RiderPosition[]> => []),
  } satisfies RiderIndex;
}

const useCases = riderUseCases;

const errorOf = rejectionOf;

describe("the rider use cases", () => {
  it("records a valid update with the staleness window", async () => {
    const index = fakeIndex();
    await useCases(index, policy).updateLocation.execute({ riderId: "r1", lat: 1, lon: 2, available: true });
    expect(index.update).toHaveBeenCalledWith({ riderId: "r1", position: { lat: 1, lon: 2 }, available: true }, 60_000);
  });

  it("rejects bad input before touching the index", async () => {
    const index = fakeIndex();
    const service = useCases(index, policy);
    expect((await errorOf(service.updateLocation.execute({ riderId: "", lat: 0, lon: 0, available: true }))).code).toBe(
      "INVALID_RIDER_ID",
    );
    expect((await errorOf(service.findNearbyRiders.execute({ lat: 0, lon: 0, radiusKm: 0, limit: 1 }))).code).toBe(
      "INVALID_RADIUS",
    );
    expect((await errorOf(service.assignNearestRider.execute({ orderId: "o", lat: 0, lon: 999 }))).code).toBe(
      "INVALID_LOCATION",
    );
    expect((await errorOf(service.releaseRider.execute(""))).code).toBe("INVALID_ORDER_ID");
    expect((await errorOf(service.releaseRider.execute("o-1", "no rider"))).code).toBe("INVALID_RIDER_ID");
    expect((await errorOf(service.holdRider.execute({ orderId: "", riderId: "r1" }))).code).toBe("INVALID_ORDER_ID");
    expect((await errorOf(service.holdRider.execute({ orderId: "o-1", riderId: "" }))).code).toBe("INVALID_RIDER_ID");
    expect(index.update).not.toHaveBeenCalled();
    expect(index.nearby).not.toHaveBeenCalled();
    expect(index.assignNearest).not.toHaveBeenCalled();
    expect(index.release).not.toHaveBeenCalled();
    expect(index.hold).not.toHaveBeenCalled();
  });

  it("asks for the default limit when none is given", async () => {
    const index = fakeIndex();
    await useCases(index, policy).findNearbyRiders.execute({ lat: 1, lon: 2, radiusKm: 3, limit: 0 });
    expect(index.nearby).toHaveBeenCalledWith({ center: { lat: 1, lon: 2 }, radiusKm: 3, limit: 20 }, 60_000);
  });

  it("lists riders with the staleness window, 200 at most by default, and refuses a bad limit before touching the index", async () => {
    const index = fakeIndex();
    const riders = useCases(index, policy);
    await riders.listRiders.execute(0);
    await riders.listRiders.execute(7);
    expect(index.list.mock.calls).toEqual([
      [200, 60_000],
      [7, 60_000],
    ]);
    expect((await errorOf(riders.listRiders.execute(1001))).code).toBe("INVALID_LIMIT");
    expect(index.list).toHaveBeenCalledTimes(2);
  });

  it("assigns within the configured radius and answers the rider", async () => {
    const index = fakeIndex({ assigned: { riderId: "r1", distanceKm: 0.5 } });
    const assigned = await useCases(index, policy).assignNearestRider.execute({ orderId: "o-1", lat: 1, lon: 2 });
    expect(assigned).toEqual({ riderId: "r1", distanceKm: 0.5 });
    expect(index.assignNearest).toHaveBeenCalledWith("o-1", { lat: 1, lon: 2 }, 10, 60_000);
  });

  it("refuses with NO_RIDER_AVAILABLE when nobody is free", async () => {
    const err = await errorOf(
      useCases(fakeIndex(), policy).assignNearestRider.execute({ orderId: "o-1", lat: 1, lon: 2 }),
    );
    expect([err.kind, err.code]).toEqual(["refused", "NO_RIDER_AVAILABLE"]);
  });

  it("answers whether the order's rider is free of it, passing on the rider named (none when empty)", async () => {
    const index = fakeIndex({ released: true });
    expect(await useCases(index, policy).releaseRider.execute("o-1", "r1")).toEqual({ released: true });
    expect(await useCases(index, policy).releaseRider.execute("o-2", "")).toEqual({ released: true });
    expect(index.release.mock.calls).toEqual([
      ["o-1", "r1"],
      ["o-2", undefined],
    ]);
    expect(await useCases(fakeIndex(), policy).releaseRider.execute("o-1")).toEqual({ released: false });
  });

  it("re-asserts an assignment the caller holds", async () => {
    const index = fakeIndex();
    expect(await useCases(index, policy).holdRider.execute({ orderId: "o-1", riderId: "r1" })).toEqual({
      restored: true,
    });
    expect(index.hold).toHaveBeenCalledWith("o-1", "r1");
  });
});
