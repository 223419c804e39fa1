import { status } from "@grpc/grpc-js";
import { orderV1, type inventoryV1, type paymentV1, type riderV1 } from "@qc/contracts";
import { RemoteError } from "@qc/platform/grpc";
import { BreakerRegistry, ResilientTarget } from "@qc/platform/resilience";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { aDeadLetter, anOrder, aProduct } from "../testing/fixtures";
import { bearer, expectProblem, testApp } from "../testing/test-app";

let app: GatewayApp;
afterEach(() => app.close());

const asAdmin = async (method: "GET" | "POST", url: string, payload?: object) =>
  app.inject({ method, url, headers: { authorization: await bearer("boss", "admin") }, ...(payload && { payload }) });

describe("admin routes", () => {
  it.each([
    ["GET", "/v1/admin/orders"],
    ["POST", "/v1/admin/products"],
    ["POST", "/v1/admin/products/apple/restock"],
    ["POST", "/v1/admin/wallets/alice/credit"],
    ["GET", "/v1/admin/dead-letters"],
    ["POST", "/v1/admin/dead-letters/dl-1/replay"],
    ["GET", "/v1/admin/circuit-breakers"],
    ["GET", "/v1/admin/riders"],
  ] as const)("%s %s is for admins only", async (method, url) => {
    app = testApp(fakeUpstreams());
    expectProblem(
      await app.inject({ method, url, headers: { authorization: await bearer("alice", "customer") } }),
      403,
      "FORBIDDEN",
    );
    expectProblem(await app.inject({ method, url }), 401, "UNAUTHENTICATED");
  });

  it("lists riders with their last positions as the rider service orders them, busy ones with their order", async () => {
    const received: riderV1.ListRidersRequest[] = [];
    const seenAt = "2026-01-01T10:00:00.000Z";
    const riders = [
      { riderId: "r2", lat: 52.5, lon: 13.4, available: true, orderId: "ord-1", seenAt },
      { riderId: "r1", lat: 52.6, lon: 13.3, available: false, orderId: "", seenAt },
    ];
    app = testApp(fakeUpstreams({ rider: { listRiders: async (req) => (received.push(req), { riders }) } }));
    const res = await asAdmin("GET", "/v1/admin/riders");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        { riderId: "r2", lat: 52.5, lon: 13.4, available: true, busy: true, orderId: "ord-1", seenAt },
        { riderId: "r1", lat: 52.6, lon: 13.3, available: false, busy: false, seenAt },
      ],
    });
    expect((await asAdmin("GET", "/v1/admin/riders?limit=5")).statusCode).toBe(200);
    expect(received).toEqual([{ limit: 200 }, { limit: 5 }]);
    for (const bad of ["limit=0", "limit=1001", "limit=x", "other=1"]) {
      expectProblem(await asAdmin("GET", `/v1/admin/riders?${bad}`), 400, "VALIDATION_FAILED");
    }
    expect(received).toHaveLength(2);
  });

  it("lists every customer's orders newest first, by status and customer, with the detail admins see", async () => {
    const received: orderV1.SearchOrdersRequest[] = [];
    const page = { orders: [anOrder({ customerId: "bob" })], nextPageToken: "tok-2" };
    app = testApp(fakeUpstreams({ order: { searchOrders: async (req) => (received.push(req), page) } }));
    const all = await asAdmin("GET", "/v1/admin/orders");
    expect(all.statusCode).toBe(200);
    const body = all.json<{
      items: { customerId: string; history: { detail?: string }[] }[];
      nextCursor: string | null;
    }>();
    expect(body.nextCursor).toBe("tok-2");
    expect(body.items[0]).toMatchObject({ customerId: "bob", history: [{ detail: "total 300 EUR" }] });
    await asAdmin("GET", "/v1/admin/orders?status=FAILED&customerId=alice&limit=5&cursor=tok-2");
    expect(received).toEqual([
      { customerId: "", status: orderV1.OrderStatus.ORDER_STATUS_UNSPECIFIED, pageSize: 20, pageToken: "" },
      { customerId: "alice", status: orderV1.OrderStatus.ORDER_STATUS_FAILED, pageSize: 5, pageToken: "tok-2" },
    ]);
  });

  it("ends the last page with nextCursor null and passes a bad cursor's INVALID_PAGE_TOKEN on as 400", async () => {
    app = testApp(
      fakeUpstreams({
        order: {
          searchOrders: async (req) => {
            if (req.pageToken === "bad")
              throw new RemoteError(
                "invalid",
                "INVALID_PAGE_TOKEN",
                "page token is malformed",
                status.INVALID_ARGUMENT,
              );
            return { orders: [], nextPageToken: "" };
          },
        },
      }),
    );
    expect((await asAdmin("GET", "/v1/admin/orders")).json()).toEqual({ items: [], nextCursor: null });
    expectProblem(await asAdmin("GET", "/v1/admin/orders?cursor=bad"), 400, "INVALID_PAGE_TOKEN");
  });

  it.each(["status=CANCELLED", "status=failed", "customerId=-bob", "limit=0", "limit=101", "page=2"])(
    "refuses ?%s with 400 before asking the order service",
    async (query) => {
      app = testApp(fakeUpstreams());
      expectProblem(await asAdmin("GET", `/v1/admin/orders?${query}`), 400, "VALIDATION_FAILED");
    },
  );

  it("creates a product: 201 with Location", async () => {
    const received: inventoryV1.CreateProductRequest[] = [];
    app = testApp(
      fakeUpstreams({ inventory: { createProduct: async (req) => (received.push(req), { product: req.product }) } }),
    );
    const product = { sku: "apple", name: "Apple", priceCents: 150, currency: "EUR", stock: 10 };
    const res = await asAdmin("POST", "/v1/admin/products", product);
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe("/v1/products/apple");
    expect(res.json()).toEqual(product);
    expect(received).toEqual([{ product }]);
  });

  it("refuses a bad product and passes the inventory's conflict on", async () => {
    app = testApp(
      fakeUpstreams({
        inventory: {
          createProduct: () =>
            Promise.reject(new RemoteError("conflict", "PRODUCT_EXISTS", "apple exists", status.ALREADY_EXISTS)),
        },
      }),
    );
    const good = { sku: "apple", name: "Apple", priceCents: 150, currency: "EUR", stock: 10 };
    expectProblem(await asAdmin("POST", "/v1/admin/products", good), 409, "PRODUCT_EXISTS");
    for (const bad of [
      { ...good, currency: "eur" },
      { ...good, stock: -1 },
      { ...good, priceCents: "150" },
      { ...good, extra: 1 },
      { sku: "apple" },
    ]) {
      expectProblem(await asAdmin("POST", "/v1/admin/products", bad), 400, "VALIDATION_FAILED");
    }
  });

  it("restocks: 200 with the product; quantity 1..1,000,000", async () => {
    const received: inventoryV1.RestockRequest[] = [];
    app = testApp(
      fakeUpstreams({
        inventory: { restock: async (req) => (received.push(req), { product: aProduct({ stock: 15 }) }) },
      }),
    );
    const res = await asAdmin("POST", "/v1/admin/products/apple/restock", { quantity: 5 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ sku: "apple", stock: 15 });
    expect(received).toEqual([{ sku: "apple", quantity: 5 }]);
    for (const quantity of [0, 1_000_001, 2.5, "5"]) {
      expectProblem(await asAdmin("POST", "/v1/admin/products/apple/restock", { quantity }), 400, "VALIDATION_FAILED");
    }
  });

  it("credits a wallet's balance in a currency: 200 {customerId, currency, balanceCents}", async () => {
    const received: paymentV1.CreditRequest[] = [];
    app = testApp(
      fakeUpstreams({
        payment: {
          credit: async (req) => (
            received.push(req),
            { wallet: { customerId: req.customerId, currency: req.currency, balanceCents: 2500 } }
          ),
        },
      }),
    );
    const res = await asAdmin("POST", "/v1/admin/wallets/alice/credit", { amountCents: 1000, currency: "EUR" });
    expect(res.json()).toEqual({ customerId: "alice", currency: "EUR", balanceCents: 2500 });
    // No currency: the default one, named on the wire rather than left to the service.
    const usd = await asAdmin("POST", "/v1/admin/wallets/alice/credit", { amountCents: 1000 });
    expect(usd.json()).toEqual({ customerId: "alice", currency: "USD", balanceCents: 2500 });
    expect(received).toEqual([
      { customerId: "alice", amountCents: 1000, currency: "EUR" },
      { customerId: "alice", amountCents: 1000, currency: "USD" },
    ]);
    for (const amountCents of [0, 1_000_000_001, -5]) {
      expectProblem(await asAdmin("POST", "/v1/admin/wallets/alice/credit", { amountCents }), 400, "VALIDATION_FAILED");
    }
    for (const currency of ["eur", "EURO", "", "E1R", 978]) {
      expectProblem(
        await asAdmin("POST", "/v1/admin/wallets/alice/credit", { amountCents: 1000, currency }),
        400,
        "VALIDATION_FAILED",
      );
    }
    expect(received).toHaveLength(2);
  });

  it("lists dead letters and replays one: 200 resolved, 409 still failing", async () => {
    const received: orderV1.ReplayDeadLetterRequest[] = [];
    const scheduled = aDeadLetter({ nextAttemptAt: "2026-01-01T10:05:00.000Z" });
    app = testApp(
      fakeUpstreams({
        order: {
          listDeadLetters: async () => ({ deadLetters: [scheduled] }),
          replayDeadLetter: async (req) => {
            received.push(req);
            if (req.id === "dl-2")
              throw new RemoteError(
                "refused",
                "DEAD_LETTER_STILL_FAILING",
                "AddStock failed again",
                status.FAILED_PRECONDITION,
              );
            return { deadLetter: aDeadLetter({ status: "resolved", attempts: 4 }) };
          },
        },
      }),
    );
    const list = await asAdmin("GET", "/v1/admin/dead-letters");
    // Every field as the order service holds it (the fixture's values), the next attempt included.
    expect(list.json()).toEqual({ items: [scheduled] });
    const replayed = await asAdmin("POST", "/v1/admin/dead-letters/dl-1/replay");
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toMatchObject({ deadLetter: { id: "dl-1", status: "resolved", attempts: 4 } });
    expect(replayed.json<{ deadLetter: object }>().deadLetter).not.toHaveProperty("nextAttemptAt");
    expectProblem(await asAdmin("POST", "/v1/admin/dead-letters/dl-2/replay"), 409, "DEAD_LETTER_STILL_FAILING");
    expect(received).toEqual([{ id: "dl-1" }, { id: "dl-2" }]);
  });

  describe("circuit breakers", () => {
    const ownBreakers = () => {
      const registry = new BreakerRegistry();
      for (const target of ["order", "inventory", "payment"]) registry.add(new ResilientTarget("gateway", target));
      return registry;
    };

    it("lists the gateway's breakers and the order service's", async () => {
      app = testApp(
        fakeUpstreams(
          {
            order: {
              listCircuitBreakers: async () => ({ breakers: [{ caller: "order", target: "payment", state: "open" }] }),
            },
          },
          { breakers: ownBreakers() },
        ),
      );
      expect((await asAdmin("GET", "/v1/admin/circuit-breakers")).json()).toEqual({
        items: [
          { caller: "gateway", target: "order", state: "closed" },
          { caller: "gateway", target: "inventory", state: "closed" },
          { caller: "gateway", target: "payment", state: "closed" },
          { caller: "order", target: "payment", state: "open" },
        ],
      });
    });

    it("still lists the gateway's own when the order service is unreachable", async () => {
      app = testApp(
        fakeUpstreams(
          {
            order: {
              listCircuitBreakers: () =>
                Promise.reject(new RemoteError("unavailable", "SERVICE_UNAVAILABLE", "down", status.UNAVAILABLE)),
            },
          },
          { breakers: ownBreakers() },
        ),
      );
      const res = await asAdmin("GET", "/v1/admin/circuit-breakers");
      expect(res.statusCode).toBe(200);
      expect(res.json<{ items: unknown[] }>().items).toHaveLength(3);
    });
  });
});
