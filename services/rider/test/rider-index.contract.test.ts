import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryRiderIndex } from "../src/adapters/memory/rider-index.repository";
import { createRedis, untilReady } from "@qc/platform/redis";
import { RedisRiderIndex } from "../src/adapters/redis/rider-index.repository";
import type { RiderIndex } from "../src/app/rider-index.port";
import type { GeoPoint } from "../src/domain/geo";
import type { RiderPosition } from "../src/domain/rider-position";
import { deleteRedisKeys, randomKeyPrefix, TEST_REDIS_URL } from "@qc/platform/testing";

/**
 * One contract for both rider indexes. `replicas` are separate handles on one index (separate Redis
 * connections for Redis), the way separate service replicas would share it.
 */
interface IndexUnderTest {
  readonly replicas: readonly RiderIndex[];
  close(): Promise<void>;
}

const RETENTION = { releasedRetentionMs: 60_000 };

const adapters: [string, (options?: typeof RETENTION) => Promise<IndexUnderTest>][] = [
  [
    "memory",
    async (options = RETENTION) => {
      const index = new MemoryRiderIndex(options);
      return { replicas: [index, index, index], close: async () => undefined };
    },
  ],
  [
    "redis",
    async (options = RETENTION) => {
      const keyPrefix = randomKeyPrefix();
      const clients = [1, 2, 3].map(() => createRedis(TEST_REDIS_URL, 2_000, pino({ level: "silent" })));
      await Promise.all(clients.map((c) => untilReady(c, 2_000)));
      return {
        replicas: clients.map((c) => new RedisRiderIndex(c, { ...options, keyPrefix })),
        close: async () => {
          for (const c of clients) c.disconnect();
          await deleteRedisKeys(keyPrefix);
        },
      };
    },
  ],
];

/** An independent great-circle distance (mean earth radius), to check the index's own figures. */
function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const s =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(s));
}

/** A point `km` east of `from` (good enough for the few km used here). */
const east = (from: GeoPoint, km: number): GeoPoint => ({
  lat: from.lat,
  lon: from.lon + km / (111.32 * Math.cos((from.lat * Math.PI) / 180)),
});

const HOUR = 3_600_000;
/**
 * The freshness window (and retention) of the tests that age a rider past it: long enough for the
 * few calls made after the wait to end inside it on a loaded machine. `PAST` outlasts it.
 */
const FRESH_MS = 1_000;
const PAST_FRESH_MS = FRESH_MS + 200;
const TOLERANCE = 0.005;
let unique = 0;
/** A fresh corner of the map per test, so tests in one index never see each other's riders. */
function freshArea(): GeoPoint {
  unique += 1;
  return { lat: -40 + (unique % 80), lon: -170 + unique * 1.5 };
}

describe.each(adapters)("rider index contract: %s", (_name, open) => {
  let under: IndexUnderTest;
  let index: RiderIndex;
  const put = (riderId: string, position: GeoPoint, available = true, on: RiderIndex = index) =>
    on.update({ riderId, position, available }, HOUR);

  beforeAll(async () => {
    under = await open();
    index = under.replicas[0] as RiderIndex;
  });

  afterAll(async () => {
    await under?.close();
  });

  it("lists riders nearest first with distances matching haversine within 0.5%", async () => {
    const center = freshArea();
    const riders = Array.from({ length: 60 }, (_, i) => {
      const bearing = Math.random() * 2 * Math.PI;
      const km = 0.2 + Math.random() * 7.8;
      const position = {
        lat: center.lat + (km / 111.2) * Math.sin(bearing),
        lon: east(center, km * Math.cos(bearing)).lon,
      };
      return { riderId: `geo-${i}`, position, km: haversineKm(center, position) };
    });
    await Promise.all(riders.map((r) => put(r.riderId, r.position)));
    const radiusKm = 5;
    const listed = await index.nearby({ center, radiusKm, limit: 100 }, HOUR);
    const expectedKm = new Map(riders.map((r) => [r.riderId, r.km]));
    for (const r of listed)
      expect(Math.abs(r.distanceKm - (expectedKm.get(r.riderId) ?? Number.NaN))).toBeLessThanOrEqual(
        r.distanceKm * TOLERANCE,
      );
    for (let i = 1; i < listed.length; i++) {
      const [before, after] = [listed[i - 1], listed[i]];
      expect(after?.distanceKm).toBeGreaterThanOrEqual(before?.distanceKm ?? Number.NaN);
      expect(expectedKm.get(after?.riderId ?? "")).toBeGreaterThanOrEqual(
        (expectedKm.get(before?.riderId ?? "") ?? 0) * (1 - TOLERANCE),
      );
    }
    const ids = new Set(listed.map((r) => r.riderId));
    for (const r of riders) {
      if (r.km < radiusKm * (1 - TOLERANCE)) expect(ids).toContain(r.riderId);
      if (r.km > radiusKm * (1 + TOLERANCE)) expect(ids).not.toContain(r.riderId);
    }
    expect((await index.nearby({ center, radiusKm, limit: 3 }, HOUR)).map((r) => r.riderId)).toEqual(
      listed.slice(0, 3).map((r) => r.riderId),
    );
  });

  it("lists busy and unavailable riders too, but only fresh ones", async () => {
    const center = freshArea();
    await put("stale", center);
    await sleep(PAST_FRESH_MS);
    await put("busy", east(center, 1));
    await put("off", east(center, 2), false);
    expect(await index.assignNearest("list-order", center, 10, FRESH_MS)).toMatchObject({ riderId: "busy" });
    const listed = await index.nearby({ center, radiusKm: 10, limit: 10 }, FRESH_MS);
    expect(listed.map((r) => r.riderId)).toEqual(["busy", "off"]);
    expect((await index.nearby({ center, radiusKm: 10, limit: 10 }, HOUR)).map((r) => r.riderId)).toEqual([
      "stale",
      "busy",
      "off",
    ]);
  });

  it("lists fresh riders anywhere with their last positions, most recently seen first, their availability and the order they carry", async () => {
    // An index of its own, so that the listing holds only this test's riders.
    const own = await open();
    const [idx, other] = own.replicas as [RiderIndex, RiderIndex];
    const center = freshArea();
    try {
      await idx.update({ riderId: "stale", position: center, available: true }, HOUR);
      await sleep(PAST_FRESH_MS);
      await idx.update({ riderId: "carrier", position: east(center, 1), available: true }, HOUR);
      await sleep(5);
      await other.update({ riderId: "off", position: east(center, 2), available: false }, HOUR);
      expect(await idx.assignNearest("list-1", center, 10, FRESH_MS)).toMatchObject({ riderId: "carrier" });
      const listed = await other.list(10, FRESH_MS);
      expect(listed.map((r) => r.riderId)).toEqual(["off", "carrier"]);
      const [off, carrier] = listed as [RiderPosition, RiderPosition];
      expect(off).toMatchObject({ available: false, orderId: null });
      expect(carrier).toMatchObject({ available: true, orderId: "list-1" });
      expect(haversineKm(carrier.position, east(center, 1))).toBeLessThan(0.001);
      expect(haversineKm(off.position, east(center, 2))).toBeLessThan(0.001);
      expect(off.seenAt).toBeGreaterThan(carrier.seenAt);
      expect(Math.abs(carrier.seenAt - Date.now())).toBeLessThan(60_000);
      expect((await idx.list(1, HOUR)).map((r) => r.riderId)).toEqual(["off"]);
      expect((await idx.list(10, HOUR)).map((r) => r.riderId)).toEqual(["off", "carrier", "stale"]);
      // Released, the carrier carries nothing.
      await idx.release("list-1");
      expect((await idx.list(10, HOUR)).find((r) => r.riderId === "carrier")).toMatchObject({ orderId: null });
    } finally {
      await own.close();
    }
  });

  it("assigns the nearest free rider, and answers a repeat with the same one", async () => {
    const center = freshArea();
    await put("far", east(center, 3));
    await put("near", east(center, 1));
    const first = await index.assignNearest("o-near", center, 10, HOUR);
    expect(first?.riderId).toBe("near");
    expect(first?.distanceKm).toBeCloseTo(1, 1);
    expect(await under.replicas[1]?.assignNearest("o-near", east(center, 3), 10, HOUR)).toEqual(first);
    expect((await index.assignNearest("o-next", center, 10, HOUR))?.riderId).toBe("far");
    expect(await index.assignNearest("o-none", center, 10, HOUR)).toBeUndefined();
  });

  it("skips stale riders and riders beyond the radius", async () => {
    const center = freshArea();
    await put("stale-near", center);
    await sleep(PAST_FRESH_MS);
    await put("fresh-far", east(center, 4));
    await put("beyond", east(center, 12));
    expect((await index.assignNearest("o-stale", center, 10, FRESH_MS))?.riderId).toBe("fresh-far");
    expect(await index.assignNearest("o-beyond", center, 10, FRESH_MS)).toBeUndefined();
  });

  it("never assigns a rider who said unavailable, and keeps a busy rider busy until released", async () => {
    const center = freshArea();
    await put("resting", center, false);
    await put("worker", east(center, 2));
    expect((await index.assignNearest("o-w1", center, 10, HOUR))?.riderId).toBe("worker");
    await put("worker", center, true);
    expect(await index.assignNearest("o-w2", center, 10, HOUR)).toBeUndefined();
    expect(await index.release("o-w1")).toBe(true);
    const again = await index.assignNearest("o-w2", center, 10, HOUR);
    expect(again?.riderId).toBe("worker");
    expect(again?.distanceKm).toBeLessThan(0.001);
    await put("resting", center, true);
    expect((await index.assignNearest("o-w3", center, 10, HOUR))?.riderId).toBe("resting");
  });

  it("releases once, answers a repeat released, frees the rider at their last location, and keeps a released order's answer", async () => {
    const center = freshArea();
    await put("r", east(center, 1));
    const assigned = await index.assignNearest("o-r1", center, 10, HOUR);
    await put("r", east(center, 2));
    expect(await index.release("o-r1")).toBe(true);
    // A retry whose first answer was lost: released, not an error.
    expect(await under.replicas[1]?.release("o-r1")).toBe(true);
    expect(await index.release("o-never-assigned")).toBe(false);
    expect(await index.assignNearest("o-r1", center, 10, HOUR)).toEqual(assigned);
    const next = await index.assignNearest("o-r2", center, 10, HOUR);
    expect(next?.riderId).toBe("r");
    expect(next?.distanceKm).toBeCloseTo(2, 1);
    // A late repeat of the first release frees nobody: the rider carries o-r2 now.
    expect(await index.release("o-r1")).toBe(true);
    expect(await index.assignNearest("o-r3", center, 10, HOUR)).toBeUndefined();
  });

  it("answers a release of an order it does not know released when the caller names the rider: that order holds nobody", async () => {
    const center = freshArea();
    await put("u-busy", center);
    await put("u-free", east(center, 1));
    expect((await index.assignNearest("u-o1", center, 10, HOUR))?.riderId).toBe("u-busy");
    // Without a rider named, an unknown order cannot be told from a lost one: not released.
    expect(await index.release("u-o0")).toBe(false);
    // Delivered after a restart, once its rider already carries a newer order: that order keeps them.
    expect(await index.release("u-o0", "u-busy")).toBe(true);
    expect(await index.assignNearest("u-o2", east(center, 1), 0.5, HOUR)).toMatchObject({ riderId: "u-free" });
    expect(await index.assignNearest("u-o1", center, 10, HOUR)).toMatchObject({ riderId: "u-busy" });
    expect(await index.release("u-o2")).toBe(true);
    // Forgotten (a restart): the order holds nobody, and the release is remembered.
    expect(await index.release("u-forgotten", "u-free")).toBe(true);
    expect(await under.replicas[1]?.release("u-forgotten")).toBe(true);
    // A late re-assertion of it never makes the rider busy again.
    expect(await index.hold("u-forgotten", "u-free")).toBe(false);
    expect((await index.assignNearest("u-o3", center, 10, HOUR))?.riderId).toBe("u-free");
  });

  it("forgets a released order after the retention", async () => {
    const own = await open({ releasedRetentionMs: FRESH_MS });
    const idx = own.replicas[0] as RiderIndex;
    const center = freshArea();
    try {
      await idx.update({ riderId: "kept", position: center, available: true }, HOUR);
      await idx.assignNearest("ret-1", center, 10, HOUR);
      expect(await idx.release("ret-1")).toBe(true);
      expect(await idx.release("ret-1")).toBe(true);
      await sleep(PAST_FRESH_MS);
      expect(await idx.release("ret-1")).toBe(false);
    } finally {
      await own.close();
    }
  });

  it("re-holds an assignment it forgot: the rider is busy with it, and an order it gave them meanwhile is assigned afresh", async () => {
    const center = freshArea();
    await put("h-carrier", center);
    await put("h-other", east(center, 2));
    // The index forgot that h-carrier carries h-o1, and gave them h-o2.
    expect((await index.assignNearest("h-o2", center, 10, HOUR))?.riderId).toBe("h-carrier");
    expect(await index.hold("h-o1", "h-carrier")).toBe(true);
    expect(await under.replicas[1]?.hold("h-o1", "h-carrier")).toBe(false);
    expect((await index.assignNearest("h-o2", center, 10, HOUR))?.riderId).toBe("h-other");
    expect(await index.assignNearest("h-o3", center, 10, HOUR)).toBeUndefined();
    expect(await index.release("h-o1")).toBe(true);
    expect((await index.assignNearest("h-o3", center, 10, HOUR))?.riderId).toBe("h-carrier");
    // A rider the index has not seen since it forgot them is held too, and stays out of work.
    expect(await index.hold("h-o4", "h-ghost")).toBe(true);
    await put("h-ghost", center);
    expect(await index.assignNearest("h-o5", center, 10, HOUR)).toBeUndefined();
    expect(await index.release("h-o4")).toBe(true);
    expect((await index.assignNearest("h-o5", center, 10, HOUR))?.riderId).toBe("h-ghost");
  });

  it("keeps a rider who went unavailable while busy out of work after the release", async () => {
    const center = freshArea();
    await put("tired", center);
    await index.assignNearest("o-t1", center, 10, HOUR);
    await put("tired", center, false);
    expect(await index.release("o-t1")).toBe(true);
    expect(await index.assignNearest("o-t2", center, 10, HOUR)).toBeUndefined();
  });

  it("keeps a rider who stopped reporting busy after the index pruned them", async () => {
    // An index of its own, so that "gone" is its only rider old enough to be pruned.
    const own = await open();
    const idx = own.replicas[0] as RiderIndex;
    const center = freshArea();
    try {
      await idx.update({ riderId: "gone", position: center, available: true }, HOUR);
      await idx.assignNearest("prune-1", center, 10, HOUR);
      await sleep(PAST_FRESH_MS);
      // Any update prunes the riders older than its window: "gone" leaves the geo index.
      await idx.update({ riderId: "back-up", position: east(center, 3), available: true }, FRESH_MS);
      expect((await idx.nearby({ center, radiusKm: 10, limit: 10 }, HOUR)).map((r) => r.riderId)).toEqual(["back-up"]);
      await idx.update({ riderId: "gone", position: center, available: true }, HOUR);
      expect((await idx.assignNearest("prune-2", center, 10, HOUR))?.riderId).toBe("back-up");
      expect(await idx.release("prune-1")).toBe(true);
      expect((await idx.assignNearest("prune-3", center, 10, HOUR))?.riderId).toBe("gone");
    } finally {
      await own.close();
    }
  });

  it("gives 10 riders to exactly 10 of 100 racing orders, none twice", async () => {
    const center = freshArea();
    await Promise.all(Array.from({ length: 10 }, (_, i) => put(`racer-${i}`, east(center, 0.3 * (i + 1)))));
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (under.replicas[i % under.replicas.length] as RiderIndex).assignNearest(`race-${i}`, center, 10, HOUR),
      ),
    );
    const assigned = outcomes.filter((o) => o !== undefined).map((o) => o.riderId);
    expect(assigned).toHaveLength(10);
    expect(new Set(assigned).size).toBe(10);
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(90);
  });

  it("claims one rider for one order however many times it races with itself", async () => {
    const center = freshArea();
    await Promise.all(["a", "b", "c"].map((id, i) => put(`self-${id}`, east(center, i + 1))));
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (under.replicas[i % under.replicas.length] as RiderIndex).assignNearest("same-order", center, 10, HOUR),
      ),
    );
    expect(new Set(outcomes.map((o) => o?.riderId))).toEqual(new Set(["self-a"]));
    expect((await index.assignNearest("other-order", center, 10, HOUR))?.riderId).toBe("self-b");
  });
});
