/**
 * The rider service in process memory (no REDIS_URL), restarted while riders are delivering: it
 * forgets every rider and assignment. A rider must still never hold two active orders, and their
 * deliveries must still free them, with no dead letter left behind.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startE2E, type E2E } from "../support/e2e-stack";
import { fixtures, steps, type OrderBody } from "../support/fixtures";

let e2e: E2E;
let f: ReturnType<typeof fixtures>;
let admin: string;

const store = { lat: 48.137, lon: 11.575 };
const near = (dLat: number) => ({ lat: store.lat + dLat, lon: store.lon });

beforeAll(async () => {
  e2e = await startE2E({
    serviceEnv: {
      rider: { REDIS_URL: "" },
      order: { RIDER_RETRY_INTERVAL_MS: "200", STORE_LAT: String(store.lat), STORE_LON: String(store.lon) },
    },
  });
  admin = await e2e.token("ops", "admin");
  f = fixtures(e2e, admin);
}, 90_000);

afterAll(async () => {
  await e2e?.stop();
});

interface Rider {
  readonly id: string;
  readonly token: string;
}

/** The rider reports where they are (retried while the rider service is coming back). */
const locate = (r: Rider, dLat: number) =>
  eventually(
    async () =>
      (
        await e2e.api("PUT", `/v1/riders/${r.id}/location`, {
          token: r.token,
          body: { ...near(dLat), available: true },
        })
      ).status === 204,
    `${r.id}'s location to be taken`,
  );

async function rider(dLat: number): Promise<Rider> {
  const id = `rider-${randomUUID().slice(0, 8)}`;
  const r = { id, token: await e2e.token(id, "rider") };
  await locate(r, dLat);
  return r;
}

const placeAt = (token: string, sku: string, dLat: number) =>
  e2e.api<OrderBody>("POST", "/v1/orders", {
    token,
    body: { items: [{ sku, quantity: 1 }], deliveryLocation: near(dLat) },
  });

const riderOf = (orderId: string, what: string) =>
  eventually(async () => {
    const o = await f.getOrder(orderId);
    return o.riderId ? o : null;
  }, what);

const openDeadLetters = async () =>
  (await e2e.api<{ items: { orderId: string; step: string }[] }>("GET", "/v1/admin/dead-letters", { token: admin }))
    .body.items;

describe("rider service restarted in memory mode", () => {
  it("never gives a rider who is delivering a second active order; their delivery, id typed in capitals, frees them", async () => {
    const sku = await f.product(10, 100);
    const alice = await f.customer(10_000);
    const carrier = await rider(0.001);
    const first = await placeAt(alice.token, sku, 0);
    expect(first.status).toBe(201);
    expect(first.body.riderId).toBe(carrier.id);

    await e2e.stack.services.rider.restart();
    // Riders report their position every few seconds, the carrier too while delivering.
    await locate(carrier, 0.001);
    const second = await placeAt(alice.token, sku, 0);
    expect(second.status).toBe(201);
    expect(second.body.riderId).toBeUndefined();
    // Another rider shows up: the waiting order gets them, the carrier is still on the first.
    const other = await rider(0.002);
    expect((await riderOf(second.body.id, "the second order to get a rider")).riderId).toBe(other.id);
    expect((await f.getOrder(first.body.id)).riderId).toBe(carrier.id);

    const delivered = await e2e.api<OrderBody>("POST", `/v1/orders/${first.body.id.toUpperCase()}/delivered`, {
      token: carrier.token,
    });
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ id: first.body.id, status: "DELIVERED" });
    expect(steps(delivered.body)).toContain("release-rider:done");
    // Freed: the carrier, nearest and now free, takes the next order.
    const third = await placeAt(alice.token, sku, 0);
    expect(third.body.riderId).toBe(carrier.id);
    expect((await openDeadLetters()).filter((d) => d.orderId === first.body.id)).toEqual([]);
  });

  it("frees a rider who delivers right after the restart, before anything re-asserted their order", async () => {
    const sku = await f.product(10, 100);
    const bob = await f.customer(10_000);
    const courier = await rider(0.3);
    const order = await placeAt(bob.token, sku, 0.3);
    expect(order.body.riderId).toBe(courier.id);

    await e2e.stack.services.rider.restart();
    const delivered = await eventually(async () => {
      const res = await e2e.api<OrderBody>("POST", `/v1/orders/${order.body.id}/delivered`, { token: courier.token });
      return res.status === 200 ? res : null;
    }, "the delivery to be taken");
    expect(steps(delivered.body)).toContain("release-rider:done");
    expect(steps(delivered.body)).not.toContain("release-rider:dead-lettered");
    expect((await openDeadLetters()).filter((d) => d.orderId === order.body.id)).toEqual([]);
    await locate(courier, 0.3);
    expect((await placeAt(bob.token, sku, 0.3)).body.riderId).toBe(courier.id);
  });
});
