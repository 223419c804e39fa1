/**
 * What a web app needs beyond placing orders (issue #13), over the whole stack with two order
 * replicas: live order events (SSE from WatchOrder, which learns of changes written by any replica
 * through Postgres LISTEN/NOTIFY), the admin order list, and the dev login. The embedded database's
 * notifications (PGlite, one process) are covered at the end on a stack without Postgres.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { orderV1 } from "@qc/contracts";
import { startStack, type Stack } from "@qc/devstack";
import { createGrpcClient, plaintextTransport } from "@qc/platform/grpc";
import { ResilientTarget } from "@qc/platform/resilience";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, JWT_SECRET, startE2E, type E2E } from "../support/e2e-stack";
import { fixtures, type OrderBody } from "../support/fixtures";
import { openEventStream, type EventStream } from "../support/sse";

let e2e: E2E;
let f: ReturnType<typeof fixtures>;
let admin: string;

// Where the order service delivers an order without a location, and riders a few metres from it.
const store = { lat: 52.52, lon: 13.405 };
const STREAM_CAP = 2;

beforeAll(async () => {
  e2e = await startE2E({
    orderReplicas: 2,
    serviceEnv: {
      order: { RIDER_RETRY_INTERVAL_MS: "200", STORE_LAT: String(store.lat), STORE_LON: String(store.lon) },
      gateway: {
        DEV_LOGIN: "true",
        ORDER_EVENT_STREAMS_PER_CALLER: String(STREAM_CAP),
        ORDER_EVENT_HEARTBEAT_MS: "500",
      },
    },
  });
  admin = await e2e.token("ops", "admin");
  f = fixtures(e2e, admin);
}, 90_000);

afterAll(async () => {
  await e2e?.stop();
});

const events = (path: string, token: string, lastEventId?: string) =>
  openEventStream(`${e2e.stack.gatewayUrl}${path}`, {
    authorization: `Bearer ${token}`,
    ...(lastEventId && { "last-event-id": lastEventId }),
  });

/** The next `order` event: its id and the order. */
async function nextOrder(stream: EventStream): Promise<{ id: number; order: OrderBody }> {
  const event = await stream.next();
  if (event === null) throw new Error("the stream ended");
  expect(event.event).toBe("order");
  return { id: Number(event.id), order: JSON.parse(event.data) as OrderBody };
}

async function rider(): Promise<{ id: string; token: string }> {
  const id = `rider-${randomUUID().slice(0, 8)}`;
  const token = await e2e.token(id, "rider");
  expect(
    (await e2e.api("PUT", `/v1/riders/${id}/location`, { token, body: { ...store, available: true } })).status,
  ).toBe(204);
  return { id, token };
}

/** A confirmed order of the customer's, with no rider free to take it yet. */
async function confirmedOrder(customer: { token: string }): Promise<OrderBody> {
  const sku = await f.product(10, 100);
  const placed = await f.order(customer.token, [{ sku, quantity: 1 }]);
  expect(placed.status).toBe(201);
  return placed.body;
}

describe("GET /v1/orders/{id}/events", () => {
  it("streams an order's states as they change, whichever replica writes them, and ends at DELIVERED", async () => {
    const alice = await f.customer(10_000);
    // No rider has reported in this stack yet: the order waits CONFIRMED.
    const order = await confirmedOrder(alice);
    const stream = await events(`/v1/orders/${order.id}/events`, alice.token);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const first = await nextOrder(stream);
    expect(first.order).toMatchObject({ id: order.id, status: "CONFIRMED" });

    const r = await rider();
    // The rider is assigned by one replica's dispatcher: the event says so.
    let assigned = await nextOrder(stream);
    while (assigned.order.riderId === undefined) assigned = await nextOrder(stream);
    expect(assigned.order.riderId).toBe(r.id);
    expect(assigned.id).toBeGreaterThan(first.id);

    const delivered = await e2e.api<OrderBody>("POST", `/v1/orders/${order.id}/delivered`, { token: r.token });
    expect(delivered.status).toBe(200);
    let last = await nextOrder(stream);
    while (last.order.status !== "DELIVERED") last = await nextOrder(stream);
    expect(last.order.history.at(-1)).toMatchObject({ step: "delivery", outcome: "done" });
    expect(await stream.next()).toBeNull(); // ends after the final state

    // Back with an older id: the final state, then the end. Back with the id of the order's last
    // state: 204, stop. (The rider's release may be written just after DELIVERED was sent: then the
    // first comeback gets that newer final state, the next the 204.)
    const older = await events(`/v1/orders/${order.id}/events`, alice.token, String(first.id));
    expect((await nextOrder(older)).order.status).toBe("DELIVERED");
    expect(await older.next()).toBeNull();
    let seen = last.id;
    let again = await events(`/v1/orders/${order.id}/events`, alice.token, String(seen));
    if (again.status === 200) {
      const newer = await nextOrder(again);
      expect(newer.id).toBeGreaterThan(seen);
      expect(newer.order.status).toBe("DELIVERED");
      expect(await again.next()).toBeNull();
      seen = newer.id;
      again = await events(`/v1/orders/${order.id}/events`, alice.token, String(seen));
    }
    expect(again.status).toBe(204);
  });

  it("tells a watcher on one replica of a change written by the other (LISTEN/NOTIFY)", async () => {
    const alice = await f.customer(10_000);
    const order = await confirmedOrder(alice);
    await rider(); // one free rider at least (the first test's may be free again and take it instead)
    const riderId = await eventually(async () => (await f.getOrder(order.id)).riderId, "a rider");
    const [one, two] = e2e.stack.orderReplicas.map((replica) =>
      createGrpcClient(orderV1.OrderServiceService, `127.0.0.1:${replica.port}`, {
        transport: plaintextTransport,
        resilience: new ResilientTarget("e2e", `order-${replica.port}`, {
          timeoutMs: 5_000,
          breakerThreshold: 100,
          halfOpenAfterMs: 1_000,
          retryAttempts: 1,
          retryInitialDelayMs: 10,
        }),
        retrySafe: [],
      }),
    );
    try {
      const seen: (string | undefined)[] = [];
      const watching = (async () => {
        for await (const s of one!.call.watchOrder({ orderId: order.id }))
          seen.push(orderV1.OrderStatus[s.order?.status ?? 0]);
      })();
      await eventually(async () => seen.length > 0, "the first state on replica one");
      await two!.call.markDelivered({ orderId: order.id, riderId });
      await watching; // ends after DELIVERED
      expect(seen).toEqual(["ORDER_STATUS_CONFIRMED", "ORDER_STATUS_DELIVERED"]);
    } finally {
      one?.close();
      two?.close();
    }
  });

  it("is for the order's customer or an admin: someone else's order is 404, as GET /v1/orders/{id}", async () => {
    const alice = await f.customer(10_000);
    const bob = await f.customer(0);
    const order = await confirmedOrder(alice);
    const other = await events(`/v1/orders/${order.id}/events`, bob.token);
    expect(other.status).toBe(404);
    expect(JSON.parse(await other.text())).toMatchObject({ code: "ORDER_NOT_FOUND" });
    expect((await events(`/v1/orders/${randomUUID()}/events`, alice.token)).status).toBe(404);
    const asAdmin = await events(`/v1/orders/${order.id}/events`, admin);
    expect(asAdmin.status).toBe(200);
    expect((await nextOrder(asAdmin)).order.id).toBe(order.id);
    asAdmin.close();
  });

  it(`caps a caller's open streams at ${STREAM_CAP} (429 TOO_MANY_STREAMS) and frees a slot when one closes`, async () => {
    const carol = await f.customer(10_000);
    const order = await confirmedOrder(carol);
    const path = `/v1/orders/${order.id}/events`;
    const open = [await events(path, carol.token), await events(path, carol.token)];
    expect(open.map((s) => s.status)).toEqual([200, 200]);
    const over = await events(path, carol.token);
    expect(over.status).toBe(429);
    expect(JSON.parse(await over.text())).toMatchObject({ status: 429, code: "TOO_MANY_STREAMS" });
    open[0]!.close();
    const later = await eventually(async () => {
      const s = await events(path, carol.token);
      if (s.status === 200) return s;
      await s.text();
      return null;
    }, "a free stream slot");
    later.close();
    open[1]!.close();
  });
});

describe("GET /v1/admin/orders", () => {
  it("lists every customer's orders newest first, by customer and status, a page at a time", async () => {
    const dave = await f.customer(10_000);
    const sku = await f.product(10, 100);
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) placed.push((await f.order(dave.token, [{ sku, quantity: 1 }])).body.id);
    const failed = await f.order(dave.token, [{ sku, quantity: 50 }]); // out of stock
    expect(failed.status).toBe(409);
    const newestFirst = [failed.body.order!.id, ...placed.reverse()];

    type Page = { items: OrderBody[]; nextCursor: string | null };
    const all = await e2e.api<Page>("GET", `/v1/admin/orders?customerId=${dave.id}`, { token: admin });
    expect(all.status).toBe(200);
    expect(all.body.items.map((o) => o.id)).toEqual(newestFirst);
    expect(all.body.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `customerId=${dave.id}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await e2e.api<Page>("GET", `/v1/admin/orders?${query}`, { token: admin });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((o) => o.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(newestFirst);

    const onlyFailed = await e2e.api<Page>("GET", `/v1/admin/orders?customerId=${dave.id}&status=FAILED`, {
      token: admin,
    });
    expect(onlyFailed.body.items.map((o) => [o.id, o.status])).toEqual([[failed.body.order!.id, "FAILED"]]);
    // Without a customer: everyone's, newest first (this customer's newest among them).
    const everyone = await e2e.api<Page>("GET", "/v1/admin/orders?limit=100", { token: admin });
    expect(everyone.body.items.map((o) => o.id)).toEqual(expect.arrayContaining(newestFirst));
    expect(new Set(everyone.body.items.map((o) => o.customerId)).size).toBeGreaterThan(1);
  });

  it("refuses a cursor it never handed out (400 INVALID_PAGE_TOKEN) and anyone but an admin", async () => {
    const bad = await e2e.api("GET", "/v1/admin/orders?cursor=bm90LWEtY3Vyc29y", { token: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("INVALID_PAGE_TOKEN");
    const customer = await f.customer(0);
    expect((await e2e.api("GET", "/v1/admin/orders", { token: customer.token })).status).toBe(403);
  });
});

/**
 * Riders enough for every paid order still waiting for one (other tests leave some: the longest
 * waiting gets the next free rider), so that the next order gets a rider of its own.
 */
async function noOrderWaitingForRider(): Promise<void> {
  await eventually(async () => {
    const { body } = await e2e.api<{ items: OrderBody[] }>("GET", "/v1/admin/orders?status=CONFIRMED&limit=100", {
      token: admin,
    });
    const waiting = body.items.filter((o) => !o.riderId).length;
    for (let i = 0; i < waiting; i++) await rider();
    return waiting === 0;
  }, "riders for every order waiting for one");
}

describe("GET /v1/riders/{id}/assignment", () => {
  it("gives the rider the order they carry with its delivery point, and 204 once it is delivered", async () => {
    await noOrderWaitingForRider();
    const r = await rider();
    expect((await e2e.api("GET", `/v1/riders/${r.id}/assignment`, { token: r.token })).status).toBe(204);
    const alice = await f.customer(10_000);
    const sku = await f.product(10, 100);
    const drop = { lat: 52.5205, lon: 13.4061 };
    const placed = await e2e.api<OrderBody>("POST", "/v1/orders", {
      token: alice.token,
      body: { items: [{ sku, quantity: 1 }], deliveryLocation: drop },
    });
    expect(placed.status).toBe(201);
    // The nearest free rider (this one, or one another test left free), maybe by the background retry.
    const riderId = await eventually(
      async () =>
        (await e2e.api<OrderBody>("GET", `/v1/orders/${placed.body.id}`, { token: alice.token })).body.riderId,
      `a rider for ${placed.body.id}`,
    );
    const carrier = await e2e.token(riderId, "rider");
    const assigned = await e2e.api<OrderBody>("GET", `/v1/riders/${riderId}/assignment`, { token: carrier });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ id: placed.body.id, status: "CONFIRMED", riderId, deliveryLocation: drop });
    expect(
      (await e2e.api("GET", `/v1/riders/${riderId}/assignment`, { token: await e2e.token("someone", "rider") })).status,
    ).toBe(403);
    expect((await e2e.api("POST", `/v1/orders/${placed.body.id}/delivered`, { token: carrier })).status).toBe(200);
    expect((await e2e.api("GET", `/v1/riders/${riderId}/assignment`, { token: carrier })).status).toBe(204);
  });
});

describe("GET /v1/admin/riders", () => {
  it("lists riders with their last positions, busy ones with the order they carry", async () => {
    const free = await rider();
    const moved = { lat: 52.53, lon: 13.41 };
    expect(
      (
        await e2e.api("PUT", `/v1/riders/${free.id}/location`, {
          token: free.token,
          body: { ...moved, available: false },
        })
      ).status,
    ).toBe(204);
    type Listed = {
      riderId: string;
      lat: number;
      lon: number;
      available: boolean;
      busy: boolean;
      orderId?: string;
      seenAt: string;
    };
    const listed = await e2e.api<{ items: Listed[] }>("GET", "/v1/admin/riders", { token: admin });
    expect(listed.status).toBe(200);
    const mine = listed.body.items.find((i) => i.riderId === free.id);
    expect(mine).toMatchObject({ available: false, busy: false });
    expect(mine?.lat).toBeCloseTo(moved.lat, 5);
    expect(mine?.lon).toBeCloseTo(moved.lon, 5);
    expect(Math.abs(Date.parse(mine?.seenAt ?? "") - Date.now())).toBeLessThan(60_000);
    // Most recently seen first: this rider reported last.
    expect(listed.body.items[0]?.riderId).toBe(free.id);
    // A rider carrying an order is listed busy with it.
    await noOrderWaitingForRider();
    await rider();
    const order = await confirmedOrder(await f.customer(10_000));
    await eventually(async () => {
      const { body } = await e2e.api<{ items: Listed[] }>("GET", "/v1/admin/riders", { token: admin });
      return body.items.some((i) => i.busy && i.orderId === order.id) ? true : undefined;
    }, `a busy rider with ${order.id}`);
    expect((await e2e.api("GET", "/v1/admin/riders", { token: free.token })).status).toBe(403);
  });
});

describe("POST /v1/dev/token (DEV_LOGIN=true)", () => {
  it("signs in as anyone: the token it gives works for that subject and role", async () => {
    const erin = await f.customer(10_000);
    const order = await confirmedOrder(erin);
    const res = await e2e.api<{ token: string }>("POST", "/v1/dev/token", {
      body: { subject: erin.id, role: "customer" },
    });
    expect(res.status).toBe(200);
    const mine = await e2e.api<{ items: OrderBody[] }>("GET", "/v1/orders", { token: res.body.token });
    expect(mine.body.items.map((o) => o.id)).toEqual([order.id]);
    expect((await e2e.api("POST", "/v1/dev/token", { body: { subject: erin.id, role: "root" } })).status).toBe(400);
  });
});

describe("order events on the embedded database (PGlite: its own notifications, one process)", () => {
  let dataDir: string;
  let stack: Stack | null = null;
  const key = new TextEncoder().encode(JWT_SECRET);
  const token = (sub: string, role: string) =>
    new SignJWT({ role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setExpirationTime("1h").sign(key);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "qc-web-api-e2e-"));
    stack = await startStack({
      jwtSecret: JWT_SECRET,
      dataDir,
      env: { LOG_LEVEL: "warn" },
      serviceEnv: { order: { RIDER_RETRY_INTERVAL_MS: "200" } },
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("streams an order from CONFIRMED to DELIVERED", async () => {
    const base = stack!.gatewayUrl;
    const call = async (method: string, path: string, auth: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${auth}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.text()) || "null" };
    };
    const ops = await token("ops", "admin");
    const sku = `sku-${randomUUID().slice(0, 8)}`;
    expect(
      (await call("POST", "/v1/admin/products", ops, { sku, name: "Pear", priceCents: 100, currency: "EUR", stock: 5 }))
        .status,
    ).toBe(201);
    expect(
      (await call("POST", "/v1/admin/wallets/frank/credit", ops, { amountCents: 1_000, currency: "EUR" })).status,
    ).toBe(200);
    const frank = await token("frank", "customer");
    const placed = await call("POST", "/v1/orders", frank, { items: [{ sku, quantity: 1 }] });
    expect(placed.status).toBe(201);
    const order = JSON.parse(placed.body) as OrderBody;
    const stream = await openEventStream(`${base}/v1/orders/${order.id}/events`, { authorization: `Bearer ${frank}` });
    expect(stream.status).toBe(200);
    expect(JSON.parse((await stream.next())?.data ?? "null")).toMatchObject({ status: "CONFIRMED" });
    const riderToken = await token("rider-emb", "rider");
    // The store's default location (order service STORE_LAT/STORE_LON).
    expect(
      (await call("PUT", "/v1/riders/rider-emb/location", riderToken, { lat: 52.5219, lon: 13.4132, available: true }))
        .status,
    ).toBe(204);
    let state = JSON.parse((await stream.next())?.data ?? "null") as OrderBody;
    expect(state.riderId).toBe("rider-emb");
    // The rider's assignment and the console's riders, from the rider service's in-process index.
    const assignment = await call("GET", "/v1/riders/rider-emb/assignment", riderToken);
    expect(assignment.status).toBe(200);
    expect(JSON.parse(assignment.body)).toMatchObject({ id: order.id, riderId: "rider-emb" });
    const riders = await call("GET", "/v1/admin/riders", ops);
    expect(JSON.parse(riders.body)).toMatchObject({
      items: [{ riderId: "rider-emb", lat: 52.5219, lon: 13.4132, busy: true, orderId: order.id }],
    });
    expect((await call("POST", `/v1/orders/${order.id}/delivered`, riderToken)).status).toBe(200);
    while (state.status !== "DELIVERED") state = JSON.parse((await stream.next())?.data ?? "null") as OrderBody;
    expect(await stream.next()).toBeNull();
    expect((await call("GET", "/v1/riders/rider-emb/assignment", riderToken)).status).toBe(204);
    expect(JSON.parse((await call("GET", "/v1/admin/riders", ops)).body)).toMatchObject({
      items: [{ riderId: "rider-emb", busy: false }],
    });
  });
});
