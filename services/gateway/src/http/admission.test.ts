import { currentDeadline } from "@qc/platform/overload";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import type { OrderCalls } from "../upstreams";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { anOrder } from "../testing/fixtures";
import { bearer, expectProblem, testApp } from "../testing/test-app";
import { admissionClassOf, outcomeOf } from "./admission";

const body = { items: [{ sku: "apple", quantity: 1 }] };

let app: GatewayApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

/** CreateOrder calls that stay open until `release()`. */
function heldOrders() {
  const waiting: (() => void)[] = [];
  let calls = 0;
  return {
    createOrder: () => {
      calls++;
      return new Promise<{ order: ReturnType<typeof anOrder>; replayed: boolean }>((resolve) =>
        waiting.push(() => resolve({ order: anOrder(), replayed: false })),
      );
    },
    get calls() {
      return calls;
    },
    release: () => {
      for (const w of waiting.splice(0)) w();
    },
    /** Resolves once `n` calls are open. */
    until: async (n: number) => {
      while (waiting.length < n) await new Promise((r) => setTimeout(r, 1));
    },
  };
}

const limits = {
  ORDER_ADMISSION_INITIAL_LIMIT: "3",
  ORDER_ADMISSION_MIN_LIMIT: "1",
  OTHER_ADMISSION_INITIAL_LIMIT: "3",
  OTHER_ADMISSION_MIN_LIMIT: "1",
};

describe("admission control", () => {
  it("answers orders beyond the limit 503 OVERLOADED at once, with Retry-After, before reading the token", async () => {
    const held = heldOrders();
    app = testApp(fakeUpstreams({ order: { createOrder: held.createOrder } }), limits);
    const auth = await bearer("alice", "customer");
    const admitted = [1, 2, 3].map(() =>
      app!.inject({ method: "POST", url: "/v1/orders", headers: { authorization: auth }, payload: body }),
    );
    await held.until(3);
    const shed = await app.inject({ method: "POST", url: "/v1/orders", payload: body }); // no token at all: still not looked at
    expectProblem(shed, 503, "OVERLOADED");
    expect(shed.headers["retry-after"]).toBe("1");
    expect(held.calls).toBe(3);
    held.release();
    expect((await Promise.all(admitted)).map((r) => r.statusCode)).toEqual([201, 201, 201]);
    // The places are given back with the answers.
    const again = app.inject({ method: "POST", url: "/v1/orders", headers: { authorization: auth }, payload: body });
    await held.until(1);
    held.release();
    expect((await again).statusCode).toBe(201);
  });

  it("never lets orders starve reads and health checks: each class has its own limit", async () => {
    const held = heldOrders();
    app = testApp(
      fakeUpstreams({
        order: { createOrder: held.createOrder },
        inventory: {
          getProduct: async () => ({
            product: { sku: "apple", name: "Apple", priceCents: 50, currency: "EUR", stock: 1 },
          }),
        },
      }),
      limits,
    );
    const auth = await bearer("alice", "customer");
    const orders = Array.from({ length: 5 }, () =>
      app!.inject({ method: "POST", url: "/v1/orders", headers: { authorization: auth }, payload: body }),
    );
    await held.until(3);
    expect((await app.inject({ method: "GET", url: "/v1/products/apple" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    held.release();
    expect((await Promise.all(orders)).map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 503, 503]);
  });

  it("sends CreateOrder under the request's deadline (UPSTREAM_TIMEOUT_MS from its arrival)", async () => {
    let deadline = Number.NaN;
    app = testApp(
      fakeUpstreams({
        order: {
          createOrder: async () => {
            deadline = currentDeadline();
            return { order: anOrder(), replayed: false };
          },
        },
      }),
      { UPSTREAM_TIMEOUT_MS: "4000" },
    );
    const before = Date.now();
    await app.inject({
      method: "POST",
      url: "/v1/orders",
      headers: { authorization: await bearer("alice", "customer") },
      payload: body,
    });
    expect(deadline).toBeGreaterThanOrEqual(before + 4_000 - 50);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 4_000);
  });

  it("can be turned off", async () => {
    const held = heldOrders();
    app = testApp(fakeUpstreams({ order: { createOrder: held.createOrder } }), {
      ...limits,
      ADMISSION_CONTROL: "false",
    });
    const auth = await bearer("alice", "customer");
    const orders = Array.from({ length: 5 }, () =>
      app!.inject({ method: "POST", url: "/v1/orders", headers: { authorization: auth }, payload: body }),
    );
    await held.until(5);
    held.release();
    expect((await Promise.all(orders)).every((r) => r.statusCode === 201)).toBe(true);
  });

  it("times admitted orders as the gateway sees them: a queue in front of the upstream's handler reads as queueing", async () => {
    // The order service's handler took 5 ms, but the call took 150 ms: it waited for a busy event
    // loop (a saturated CPU) before its handler ran. The limit must shrink, not grow.
    const createOrder: Partial<OrderCalls>["createOrder"] = async (_request, options) => {
      await new Promise((r) => setTimeout(r, 150));
      options?.onServerTiming?.(5);
      return { order: anOrder(), replayed: false };
    };
    const fixedTarget = {
      ORDER_ADMISSION_INITIAL_LIMIT: "4",
      ORDER_ADMISSION_MIN_LIMIT: "1",
      ORDER_ADMISSION_TARGET_MS: "50",
      ORDER_ADMISSION_MAX_TARGET_MS: "50",
    };
    app = testApp(fakeUpstreams({ order: { createOrder } }), fixedTarget);
    // Over a real socket: the limit learns when the answer has been written to it.
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const auth = await bearer("alice", "customer");
    const place = () =>
      fetch(`${url}/v1/orders`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    expect(await Promise.all([1, 2, 3, 4].map(place))).toEqual([201, 201, 201, 201]);
    // Four at once again: the limit is now below four.
    const statuses = await Promise.all([1, 2, 3, 4].map(place));
    expect(statuses).toContain(503);
  });

  it("learns from answers: work done is a latency sample, shed or timed out is overload, the rest says nothing", () => {
    expect(outcomeOf(201, null)).toBe("success");
    expect(outcomeOf(402, "PAYMENT_DECLINED")).toBe("success");
    expect(outcomeOf(409, "OUT_OF_STOCK")).toBe("success");
    expect(outcomeOf(503, "OVERLOADED")).toBe("dropped");
    expect(outcomeOf(503, "SERVICE_UNAVAILABLE")).toBe("dropped");
    expect(outcomeOf(503, "CIRCUIT_OPEN")).toBe("ignore");
    expect(outcomeOf(401, "UNAUTHENTICATED")).toBe("ignore");
    expect(outcomeOf(400, "VALIDATION_FAILED")).toBe("ignore");
    expect(outcomeOf(500, "INTERNAL")).toBe("ignore");
    expect(admissionClassOf("POST", "/v1/orders")).toBe("orders");
    expect(admissionClassOf("GET", "/v1/orders/:id")).toBe("other");
    expect(admissionClassOf("GET", "/readyz")).toBeNull();
    expect(admissionClassOf("GET", undefined)).toBeNull();
  });
});
