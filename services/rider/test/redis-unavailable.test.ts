import { describe, expect, it } from "vitest";
import { forSuite } from "@qc/platform/testing/suite";
import { failureOf, startRider } from "./rider-harness";

describe("rider service without a reachable Redis", () => {
  // Port 1 on loopback refuses connections: Redis is down for the whole test.
  const rider = forSuite(() => startRider("redis", { REDIS_URL: "redis://127.0.0.1:1", REDIS_TIMEOUT_MS: "200" }));

  it("still starts, and answers every call at once with UNAVAILABLE / REDIS_UNAVAILABLE", async () => {
    const here = { lat: 52.52, lon: 13.405 };
    const calls = [
      rider.call.updateLocation({ riderId: "r1", ...here, available: true }),
      rider.call.nearby({ ...here, radiusKm: 1, limit: 1 }),
      rider.call.assignNearest({ orderId: "o-1", ...here }),
      rider.call.release({ orderId: "o-1", riderId: "" }),
    ];
    const started = performance.now();
    for (const call of calls)
      expect(await failureOf(call)).toMatchObject({ status: "UNAVAILABLE", code: "REDIS_UNAVAILABLE" });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("still validates input first", async () => {
    expect(await failureOf(rider.call.release({ orderId: "", riderId: "" }))).toMatchObject({
      status: "INVALID_ARGUMENT",
      code: "INVALID_ORDER_ID",
    });
  });
});
