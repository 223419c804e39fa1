import { status } from "@grpc/grpc-js";
import { orderV1 } from "@qc/contracts";
import { RemoteError } from "@qc/platform/grpc";
import { circuitOpen } from "@qc/platform/resilience";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { GatewayApp } from "../app";
import { batchedGetOrder } from "../batched-reads";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { anOrder } from "../testing/fixtures";
import { bearer, expectProblem, testApp } from "../testing/test-app";
import type { OrderCalls } from "../upstreams";

const { ORDER_STATUS_PENDING: PENDING, ORDER_STATUS_FAILED: FAILED } = orderV1.OrderStatus;
const body = { items: [{ sku: "apple", quantity: 2 }], deliveryLocation: { lat: 52.52, lon: 13.4 } };

let app: GatewayApp;
afterEach(() => app.close());

/** The app with CreateOrder answering `answer`, and every request it received. */
function withCreateOrder(answer: (req: orderV1.CreateOrderRequest) => Promise<orderV1.CreateOrderResponse>) {
  const received: orderV1.CreateOrderRequest[] = [];
  app = testApp(fakeUpstreams({ order: { createOrder: (req) => (received.push(req), answer(req)) } }));
  return received;
}

const post = async (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: "POST",
    url: "/v1/orders",
    headers: { authorization: await bearer("alice", "customer"), ...headers },
    payload: payload as object,
  });

describe("POST /v1/orders", () => {
  it("answers a confirmed order 201 with Location, sending the customer, lines, key, hash and wait", async () => {
    const received = withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
    const res = await post(body, { "idempotency-key": "key-1" });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe("/v1/orders/ord-1");
    expect(res.headers["idempotent-replayed"]).toBeUndefined();
    expect(res.json()).toMatchObject({ id: "ord-1", status: "CONFIRMED", totalCents: 300 });
    expect(received).toHaveLength(1);
    const { requestHash, ...rest } = received[0] ?? { requestHash: "" };
    expect(requestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rest).toEqual({
      customerId: "alice",
      items: [{ sku: "apple", quantity: 2, priceCents: 0 }],
      deliveryLocation: { lat: 52.52, lon: 13.4 },
      idempotencyKey: "key-1",
      waitMs: 3000,
    });
  });

  it("answers 202 with Location while the saga is still running", async () => {
    withCreateOrder(async () => ({ order: anOrder({ status: PENDING }), replayed: false }));
    const res = await post(body);
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toBe("/v1/orders/ord-1");
    expect(res.json()).toMatchObject({ status: "PENDING" });
  });

  it("sends an empty key when there is none, and the same hash whatever the key order", async () => {
    const received = withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
    await post(body);
    await post({ deliveryLocation: { lon: 13.4, lat: 52.52 }, items: [{ quantity: 2, sku: "apple" }] });
    await post({ items: [{ sku: "apple", quantity: 3 }] });
    expect(received.map((r) => r.idempotencyKey)).toEqual(["", "", ""]);
    expect(received[0]?.requestHash).toBe(received[1]?.requestHash);
    expect(received[2]?.requestHash).not.toBe(received[0]?.requestHash);
  });

  it("marks a replayed answer with Idempotent-Replayed, failures included", async () => {
    withCreateOrder(async () => ({ order: anOrder(), replayed: true }));
    expect((await post(body, { "idempotency-key": "k" })).headers["idempotent-replayed"]).toBe("true");
    await app.close();
    withCreateOrder(async () => ({
      order: anOrder({ status: FAILED, failureReason: "OUT_OF_STOCK" }),
      replayed: true,
    }));
    expect((await post(body, { "idempotency-key": "k" })).headers["idempotent-replayed"]).toBe("true");
  });

  it.each([
    ["OUT_OF_STOCK", 409],
    ["PAYMENT_DECLINED", 402],
    // A certain refusal no retry changes: not a 503 with Retry-After, replayed so forever under its key.
    ["REJECTED", 422],
  ])("answers a %s order %i with the order", async (reason, httpStatus) => {
    withCreateOrder(async () => ({ order: anOrder({ status: FAILED, failureReason: reason }), replayed: false }));
    const problem = expectProblem(await post(body), httpStatus, reason);
    expect(problem.order).toMatchObject({ id: "ord-1", status: "FAILED", failureReason: reason });
  });

  it.each(["SERVICE_UNAVAILABLE", "SOMETHING_NEW"])(
    "answers a %s order 503 with Retry-After and the order",
    async (reason) => {
      withCreateOrder(async () => ({ order: anOrder({ status: FAILED, failureReason: reason }), replayed: false }));
      const res = await post(body);
      expect(expectProblem(res, 503, reason).order).toMatchObject({ status: "FAILED" });
      expect(res.headers["retry-after"]).toBe("1");
    },
  );

  it.each([
    [new RemoteError("invalid", "UNKNOWN_SKU", "unknown sku pear", status.INVALID_ARGUMENT), 422, "UNKNOWN_SKU"],
    [
      new RemoteError("conflict", "IDEMPOTENCY_KEY_REUSED", "key used for another body", status.ALREADY_EXISTS),
      422,
      "IDEMPOTENCY_KEY_REUSED",
    ],
    [new RemoteError("invalid", "TOO_MANY_UNITS", "too many", status.INVALID_ARGUMENT), 400, "TOO_MANY_UNITS"],
    [
      new RemoteError("unavailable", "SERVICE_UNAVAILABLE", "No connection established", status.UNAVAILABLE),
      503,
      "SERVICE_UNAVAILABLE",
    ],
    [circuitOpen("order"), 503, "CIRCUIT_OPEN"],
  ])("passes the order service's %s through the problem table", async (err, httpStatus, code) => {
    withCreateOrder(() => Promise.reject(err));
    const res = await post(body);
    expectProblem(res, httpStatus, code);
    if (httpStatus === 503) expect(res.headers["retry-after"]).toBe(code === "CIRCUIT_OPEN" ? "5" : "1");
  });

  describe("refuses bad input with 400 VALIDATION_FAILED before calling upstream", () => {
    const line = { sku: "apple", quantity: 1 };
    it.each([
      ["an unknown top-level field", { ...body, coupon: "FREE" }],
      ["an unknown line field", { items: [{ ...line, price: 1 }] }],
      ["an unknown location field", { items: [line], deliveryLocation: { lat: 1, lon: 2, alt: 3 } }],
      ["a quantity given as a string", { items: [{ sku: "apple", quantity: "2" }] }],
      ["a fractional quantity", { items: [{ sku: "apple", quantity: 1.5 }] }],
      ["a quantity of 0", { items: [{ sku: "apple", quantity: 0 }] }],
      ["a quantity of 101", { items: [{ sku: "apple", quantity: 101 }] }],
      ["no lines", { items: [] }],
      ["51 lines", { items: Array.from({ length: 51 }, (_, i) => ({ sku: `sku-${i}`, quantity: 1 })) }],
      ["a sku with a space", { items: [{ sku: "app le", quantity: 1 }] }],
      ["a sku starting with a dash", { items: [{ sku: "-apple", quantity: 1 }] }],
      ["a 65-character sku", { items: [{ sku: "a".repeat(65), quantity: 1 }] }],
      ["a latitude of 91", { items: [line], deliveryLocation: { lat: 91, lon: 0 } }],
      ["a longitude of -181", { items: [line], deliveryLocation: { lat: 0, lon: -181 } }],
      ["a location without lon", { items: [line], deliveryLocation: { lat: 0 } }],
      ["an array body", [line]],
    ])("%s", async (_, payload) => {
      const received = withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
      const problem = expectProblem(await post(payload), 400, "VALIDATION_FAILED");
      expect(problem.detail).toMatch(/^body/);
      expect(received).toEqual([]);
    });

    it("names the field in the message", async () => {
      withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
      expect(
        expectProblem(await post({ items: [{ sku: "apple", quantity: "2" }] }), 400, "VALIDATION_FAILED").detail,
      ).toBe("body/items/0/quantity must be integer");
      expect(expectProblem(await post({ ...body, coupon: "x" }), 400, "VALIDATION_FAILED").detail).toContain("coupon");
    });

    it("accepts exactly 50 lines", async () => {
      withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
      const res = await post({ items: Array.from({ length: 50 }, (_, i) => ({ sku: `sku-${i}`, quantity: 100 })) });
      expect(res.statusCode).toBe(201);
    });

    it.each([
      ["empty", ""],
      ["too long", "k".repeat(256)],
      ["with a space", "my key"],
      ["non-ASCII", "clé"],
    ])("an Idempotency-Key %s", async (_, key) => {
      const received = withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
      expectProblem(await post(body, { "idempotency-key": key }), 400, "VALIDATION_FAILED");
      expect(received).toEqual([]);
    });
  });

  it("accepts a 255-character Idempotency-Key of visible ASCII", async () => {
    const received = withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
    const key = "!~".repeat(127) + "k";
    expect((await post(body, { "idempotency-key": key })).statusCode).toBe(201);
    expect(received[0]?.idempotencyKey).toBe(key);
  });

  it("answers 401 with WWW-Authenticate without a token, and 403 to an admin or a rider", async () => {
    const received = withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
    const anonymous = await app.inject({ method: "POST", url: "/v1/orders", payload: body });
    expectProblem(anonymous, 401, "UNAUTHENTICATED");
    expect(anonymous.headers["www-authenticate"]).toBe("Bearer");
    expectProblem(await post(body, { authorization: "Bearer nonsense" }), 401, "UNAUTHENTICATED");
    expectProblem(await post(body, { authorization: await bearer("boss", "admin") }), 403, "FORBIDDEN");
    expectProblem(await post(body, { authorization: await bearer("r1", "rider") }), 403, "FORBIDDEN");
    expect(received).toEqual([]);
  });

  it("refuses a 1 MB body with 413 and a non-JSON body with 415", async () => {
    withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
    const huge = { items: [{ sku: "apple", quantity: 1 }], note: "x".repeat(1024 * 1024) };
    expectProblem(await post(huge), 413, "PAYLOAD_TOO_LARGE");
    expectProblem(
      await post("items=apple", { "content-type": "application/x-www-form-urlencoded" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectProblem(await post("apple", { "content-type": "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers malformed JSON with 400 MALFORMED_JSON", async () => {
    withCreateOrder(async () => ({ order: anOrder(), replayed: false }));
    expectProblem(await post('{"items": [', { "content-type": "application/json" }), 400, "MALFORMED_JSON");
  });
});

describe("GET /v1/orders/{id}", () => {
  function withOrders(orders: Record<string, orderV1.Order>, getOrder?: OrderCalls["getOrder"]) {
    app = testApp(
      fakeUpstreams({
        order: {
          getOrder:
            getOrder ??
            (async ({ id }) => {
              const order = orders[id];
              if (order === undefined)
                throw new RemoteError("not_found", "ORDER_NOT_FOUND", `no order ${id} in db`, status.NOT_FOUND);
              return { order };
            }),
        },
      }),
    );
  }
  const get = async (id: string, authorization: string) =>
    app.inject({ method: "GET", url: `/v1/orders/${id}`, headers: { authorization } });

  it("shows a customer their own order", async () => {
    withOrders({ "ord-1": anOrder() });
    const res = await get("ord-1", await bearer("alice", "customer"));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: "ord-1", customerId: "alice" });
  });

  it("authorizes each caller on a batched lookup: one batch call, its customer sees it, another customer gets 404", async () => {
    const id = "0b7e3c52-5d1a-4f7e-9a35-2f8c1d6e4a90";
    const batches: string[][] = [];
    let answer: (order: orderV1.Order) => void = () => undefined;
    const batched = batchedGetOrder(({ ids }) => {
      batches.push(ids);
      return new Promise((resolve) => (answer = (order) => resolve({ orders: [order] })));
    });
    // The three requests pass authentication in rounds of their own when the machine is busy; held
    // here until all three have arrived, they reach the batched reader in one round, as under load.
    const held: Array<() => void> = [];
    const getOrder: OrderCalls["getOrder"] = (request) =>
      new Promise<void>((release) => {
        held.push(release);
        if (held.length === 3) for (const go of held) go();
      }).then(() => batched(request));
    withOrders({}, getOrder);
    const [alice, mallory, admin] = [
      await bearer("alice", "customer"),
      await bearer("mallory", "customer"),
      await bearer("root", "admin"),
    ];
    // Sent together (one in capitals), they share one batch call.
    const answers = Promise.all([get(id, alice), get(id.toUpperCase(), mallory), get(id, admin)]);
    await vi.waitFor(() => expect(batches).toHaveLength(1), { timeout: 5_000 });
    answer(anOrder({ id }));
    const [mine, theirs, admins] = await answers;
    expect(batches).toEqual([[id, id, id]]);
    expect(mine.statusCode).toBe(200);
    expect(admins.statusCode).toBe(200);
    expectProblem(theirs, 404, "ORDER_NOT_FOUND");
    expect(theirs.body).not.toContain("alice");
  });

  it("answers an id that is no order id with 404 without asking the order service", async () => {
    const batches: string[][] = [];
    withOrders(
      {},
      batchedGetOrder(async ({ ids }) => (batches.push(ids), { orders: [] })),
    );
    expectProblem(await get("ord-1", await bearer("alice", "customer")), 404, "ORDER_NOT_FOUND");
    expect(batches).toEqual([]);
  });

  it("shows an admin anyone's order", async () => {
    withOrders({ "ord-1": anOrder() });
    expect((await get("ord-1", await bearer("boss", "admin"))).statusCode).toBe(200);
  });

  it("shows the raw detail of its history to admins only: customers get the code and a fixed sentence", async () => {
    const raw = "SERVICE_UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:50053";
    const history = [{ step: "charge-payment", outcome: "failed", code: "SERVICE_UNAVAILABLE", detail: raw, at: "t" }];
    withOrders({
      "ord-1": anOrder({
        status: orderV1.OrderStatus.ORDER_STATUS_FAILED,
        failureReason: "SERVICE_UNAVAILABLE",
        history,
      }),
    });
    const customer = await get("ord-1", await bearer("alice", "customer"));
    expect(customer.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|No connection/);
    expect(customer.json()).toMatchObject({
      history: [{ code: "SERVICE_UNAVAILABLE", message: "A service was temporarily unavailable." }],
    });
    const admin = await get("ord-1", await bearer("boss", "admin"));
    expect(admin.json()).toMatchObject({ history: [{ code: "SERVICE_UNAVAILABLE", detail: raw }] });
  });

  it("answers someone else's order exactly like a missing one", async () => {
    withOrders({ "ord-1": anOrder() });
    const bob = await bearer("bob", "customer");
    const theirs = await get("ord-1", bob);
    expectProblem(theirs, 404, "ORDER_NOT_FOUND");
    await app.close();
    withOrders({});
    const missing = await get("ord-1", bob);
    expect(missing.body).toBe(theirs.body);
    expect(missing.json()).toMatchObject({ detail: "order ord-1 not found" });
  });

  it("takes an order id in any case and answers the order under its stored id", async () => {
    const id = "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b";
    const asked: string[] = [];
    // As the order service does: any case finds the order, which carries its stored (lowercase) id.
    withOrders({}, async (req) => {
      asked.push(req.id);
      if (req.id.toLowerCase() !== id)
        throw new RemoteError("not_found", "ORDER_NOT_FOUND", "missing", status.NOT_FOUND);
      return { order: anOrder({ id }) };
    });
    const res = await get(id.toUpperCase(), await bearer("alice", "customer"));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, customerId: "alice" });
    expect(asked).toEqual([id.toUpperCase()]);
  });

  it("refuses riders and anonymous callers", async () => {
    withOrders({ "ord-1": anOrder() });
    expectProblem(await get("ord-1", await bearer("r1", "rider")), 403, "FORBIDDEN");
    expectProblem(await app.inject({ method: "GET", url: "/v1/orders/ord-1" }), 401, "UNAUTHENTICATED");
  });

  it("hides an upstream's internal failure behind a generic 500", async () => {
    withOrders({}, () =>
      Promise.reject(new RemoteError("internal", "INTERNAL", "relation orders does not exist", status.INTERNAL)),
    );
    const problem = expectProblem(await get("ord-1", await bearer("alice", "customer")), 500, "INTERNAL");
    expect(JSON.stringify(problem)).not.toContain("relation");
  });
});

describe("GET /v1/orders", () => {
  it("lists the caller's own orders with the cursor passed through", async () => {
    const received: orderV1.ListOrdersRequest[] = [];
    app = testApp(
      fakeUpstreams({
        order: {
          listOrders: async (req) => (
            received.push(req),
            { orders: [anOrder({ id: "o2" }), anOrder({ id: "o1" })], nextPageToken: req.pageToken === "" ? "p2" : "" }
          ),
        },
      }),
    );
    const authorization = await bearer("alice", "customer");
    const first = await app.inject({ method: "GET", url: "/v1/orders?limit=2", headers: { authorization } });
    expect(first.json()).toMatchObject({ items: [{ id: "o2" }, { id: "o1" }], nextCursor: "p2" });
    const last = await app.inject({ method: "GET", url: "/v1/orders?limit=2&cursor=p2", headers: { authorization } });
    expect(last.json()).toMatchObject({ nextCursor: null });
    expect(received).toEqual([
      { customerId: "alice", pageSize: 2, pageToken: "" },
      { customerId: "alice", pageSize: 2, pageToken: "p2" },
    ]);
  });

  it("is for customers only", async () => {
    app = testApp(fakeUpstreams());
    expectProblem(
      await app.inject({ method: "GET", url: "/v1/orders", headers: { authorization: await bearer("boss", "admin") } }),
      403,
      "FORBIDDEN",
    );
  });
});

describe("POST /v1/orders/{id}/delivered", () => {
  const { ORDER_STATUS_DELIVERED: DELIVERED } = orderV1.OrderStatus;

  /** The app with MarkDelivered answering `answer`, and every request it received. */
  function withMarkDelivered(answer: OrderCalls["markDelivered"]) {
    const received: orderV1.MarkDeliveredRequest[] = [];
    app = testApp(fakeUpstreams({ order: { markDelivered: (req) => (received.push(req), answer(req)) } }));
    return received;
  }

  const deliver = async (id: string, authorization?: string) =>
    app.inject({
      method: "POST",
      url: `/v1/orders/${id}/delivered`,
      headers: { authorization: authorization ?? (await bearer("r1", "rider")) },
    });

  it("marks the order delivered by the calling rider: 200 with the order", async () => {
    const received = withMarkDelivered(async ({ orderId }) => ({
      order: anOrder({ id: orderId, status: DELIVERED, riderId: "r1" }),
    }));
    const res = await deliver("ord-1");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: "ord-1", status: "DELIVERED", riderId: "r1", customerId: "alice" });
    expect(received).toEqual([{ orderId: "ord-1", riderId: "r1" }]);
  });

  it("takes an order id in capitals and answers the order under its stored id", async () => {
    const id = "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b";
    const received = withMarkDelivered(async () => ({ order: anOrder({ id, status: DELIVERED, riderId: "r1" }) }));
    const res = await deliver(id.toUpperCase());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, status: "DELIVERED" });
    expect(received).toEqual([{ orderId: id.toUpperCase(), riderId: "r1" }]);
  });

  it("answers a repeat with the delivered order again", async () => {
    withMarkDelivered(async () => ({ order: anOrder({ status: DELIVERED, riderId: "r1" }) }));
    const first = await deliver("ord-1");
    const again = await deliver("ord-1");
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
  });

  it.each([
    [
      new RemoteError("not_found", "ORDER_NOT_FOUND", "order ord-1 not found", status.NOT_FOUND),
      404,
      "ORDER_NOT_FOUND",
    ],
    [
      new RemoteError("refused", "ORDER_NOT_DELIVERABLE", "order ord-1 is PENDING", status.FAILED_PRECONDITION),
      409,
      "ORDER_NOT_DELIVERABLE",
    ],
    [
      new RemoteError("unavailable", "SERVICE_UNAVAILABLE", "No connection established", status.UNAVAILABLE),
      503,
      "SERVICE_UNAVAILABLE",
    ],
    [circuitOpen("order"), 503, "CIRCUIT_OPEN"],
  ])("passes the order service's %s through the problem table", async (err, httpStatus, code) => {
    withMarkDelivered(() => Promise.reject(err));
    expectProblem(await deliver("ord-1"), httpStatus, code);
  });

  it("is for riders only, and checks the order id before calling upstream", async () => {
    const received = withMarkDelivered(async () => ({ order: anOrder({ status: DELIVERED, riderId: "r1" }) }));
    expectProblem(await deliver("ord-1", await bearer("alice", "customer")), 403, "FORBIDDEN");
    expectProblem(await deliver("ord-1", await bearer("boss", "admin")), 403, "FORBIDDEN");
    expectProblem(await app.inject({ method: "POST", url: "/v1/orders/ord-1/delivered" }), 401, "UNAUTHENTICATED");
    expectProblem(await deliver("ord%201"), 400, "VALIDATION_FAILED");
    expect(received).toEqual([]);
  });
});
