/**
 * Riders and the catalog on Redis, over the whole stack: assignment of the nearest free rider, delivery,
 * and Redis dying mid-test (a private redis-server, so the machine's shared one is never touched).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startE2E, type E2E } from "../support/e2e-stack";
import { fixtures, steps, type OrderBody } from "../support/fixtures";
import { PrivateRedis } from "../support/redis-server";

let redis: PrivateRedis;
let e2e: E2E;
let f: ReturnType<typeof fixtures>;
let admin: string;

// Berlin, and points a few hundred metres apart.
const store = { lat: 52.52, lon: 13.405 };
const near = (dLat: number) => ({ lat: store.lat + dLat, lon: store.lon });

beforeAll(async () => {
  redis = await PrivateRedis.start();
  e2e = await startE2E({
    redisUrl: redis.url,
    serviceEnv: {
      order: { RIDER_RETRY_INTERVAL_MS: "200", STORE_LAT: String(store.lat), STORE_LON: String(store.lon) },
    },
  });
  admin = await e2e.token("ops", "admin");
  f = fixtures(e2e, admin);
}, 90_000);

afterAll(async () => {
  await e2e?.stop();
  await redis?.stop();
});

async function rider(dLat: number, available = true): Promise<{ id: string; token: string }> {
  const id = `rider-${randomUUID().slice(0, 8)}`;
  const token = await e2e.token(id, "rider");
  const res = await e2e.api("PUT", `/v1/riders/${id}/location`, { token, body: { ...near(dLat), available } });
  expect(res.status).toBe(204);
  return { id, token };
}

const placeAt = (token: string, sku: string, dLat: number) =>
  e2e.api<OrderBody>("POST", "/v1/orders", {
    token,
    body: { items: [{ sku, quantity: 1 }], deliveryLocation: near(dLat) },
  });

/**
 * The rider of a confirmed order: usually in the answer; on a loaded machine the first try may miss
 * (a slow Rider call) and the background retry assigns one a moment later, which must be the same
 * nearest free rider.
 */
async function riderOf(token: string, order: OrderBody): Promise<string> {
  if (order.riderId) return order.riderId;
  return eventually(
    async () => (await e2e.api<OrderBody>("GET", `/v1/orders/${order.id}`, { token })).body.riderId,
    `a rider for ${order.id}`,
  );
}

describe("riders", () => {
  it("assigns the nearest free rider to a confirmed order; delivery by that rider frees them", async () => {
    const sku = await f.product(10, 100);
    const alice = await f.customer(10_000);
    const far = await rider(0.02);
    const close = await rider(0.001);
    const res = await placeAt(alice.token, sku, 0);
    expect(res.status).toBe(201);
    expect(await riderOf(alice.token, res.body)).toBe(close.id);

    const nearby = await e2e.api<{ items: { riderId: string; distanceKm: number }[] }>(
      "GET",
      `/v1/riders/nearby?lat=${store.lat}&lon=${store.lon}&radiusKm=5&limit=10`,
      { token: admin },
    );
    expect(nearby.body.items.map((r) => r.riderId)).toEqual([close.id, far.id]);

    expect((await e2e.api("POST", `/v1/orders/${res.body.id}/delivered`, { token: far.token })).status).toBe(404);
    const delivered = await e2e.api<OrderBody>("POST", `/v1/orders/${res.body.id}/delivered`, { token: close.token });
    expect(delivered.status).toBe(200);
    expect(delivered.body.status).toBe("DELIVERED");
    // The freed rider takes the next order.
    const next = await placeAt(alice.token, sku, 0);
    expect(next.status).toBe(201);
    expect(await riderOf(alice.token, next.body)).toBe(close.id);
  });

  it("keeps a paid order CONFIRMED while no rider is free, and assigns one when a rider shows up", async () => {
    const sku = await f.product(10, 100);
    const bob = await f.customer(10_000);
    const res = await placeAt(bob.token, sku, 0.5); // 55 km away: nobody in range
    expect(res.status).toBe(201);
    expect(res.body.riderId).toBeUndefined();
    const late = await rider(0.501);
    const assigned = await eventually(async () => {
      const o = await f.getOrder(res.body.id);
      return o.riderId ? o : null;
    }, "the background dispatcher to assign the rider");
    expect(assigned.riderId).toBe(late.id);
    expect(steps(assigned)).toContain("assign-rider:done");
  });

  it("gives 10 riders to exactly 10 of 30 racing orders, none twice", async () => {
    const sku = await f.product(100, 100);
    const riders = await Promise.all(Array.from({ length: 10 }, (_, i) => rider(1 + i * 0.0001)));
    const buyers = await Promise.all(Array.from({ length: 30 }, () => f.customer(10_000)));
    const results = await Promise.all(buyers.map((b) => placeAt(b.token, sku, 1)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const assigned = results.map((r) => r.body.riderId).filter((id): id is string => Boolean(id));
    expect(assigned).toHaveLength(10);
    expect(new Set(assigned).size).toBe(10);
    expect(new Set(assigned)).toEqual(new Set(riders.map((r) => r.id)));
  });
});

describe("Redis down", () => {
  it("still serves the catalog and confirms orders; riders are assigned once Redis is back", async () => {
    const sku = await f.product(10, 100);
    const carol = await f.customer(10_000);
    await redis.stop();
    try {
      const product = await e2e.api<{ stock: number }>("GET", `/v1/products/${sku}`);
      expect(product.status).toBe(200);
      expect(product.body.stock).toBe(10);
      const res = await placeAt(carol.token, sku, 2);
      expect(res.status).toBe(201);
      expect(res.body.riderId).toBeUndefined();
      const after = await e2e.api<{ stock: number }>("GET", `/v1/products/${sku}`);
      expect(after.body.stock).toBe(9); // a read after a write sees the write, cache or not
      await redis.resume();
      // The restarted Redis is empty: riders report their position again, as they do every few seconds.
      const back = await eventually(async () => {
        const id = `rider-${randomUUID().slice(0, 8)}`;
        const r = await e2e.api("PUT", `/v1/riders/${id}/location`, {
          token: await e2e.token(id, "rider"),
          body: { ...near(2.0001), available: true },
        });
        return r.status === 204 ? id : null;
      }, "the rider service to reach Redis again");
      const assigned = await eventually(
        async () => {
          const o = await f.getOrder(res.body.id);
          return o.riderId ? o : null;
        },
        "the waiting order to get the rider",
        20_000,
      );
      expect(assigned.riderId).toBe(back);
    } finally {
      await redis.resume().catch(() => undefined);
    }
  });
});
