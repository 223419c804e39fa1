import { orderV1 } from "@qc/contracts";
import { createGrpcClient, plaintextTransport, currentDeadline, loadConfig, ResilientTarget, withDeadline, type GrpcClient } from "@qc/platform";
import { createTestDatabase, type TestDatabase } from "@qc/platform/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, orderConfigSchema, type OrderApp } from "../src/app";
import type { InventoryPort, PaymentPort, RiderPort } from "../src/app/dependencies.port";
import { ANSWER_MARGIN_MS } from "../src/app/orders.use-case";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("CreateOrder under its caller's deadline", () => {
  let db: TestDatabase;
  let app: OrderApp;
  let client: GrpcClient<typeof orderV1.OrderServiceService>;
  /** The deadline each saga step ran under: Infinity when detached from the request. */
  const sagaDeadlines: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("qc_order_deadline");
    const inventory: InventoryPort = {
      catalog: async (skus) => new Map(skus.map((sku) => [sku, { priceCents: 150, currency: "EUR" }])),
      deductStock: async (_id, lines) => {
        sagaDeadlines.push(currentDeadline());
        await sleep(1_500); // slower than the caller waits
        return { lines: lines.map((l) => ({ ...l, unitPriceCents: 100 })), totalCents: 100, currency: "EUR" };
      },
      addStock: async () => ({ restored: true }),
    };
    const payment: PaymentPort = {
      charge: async () => {
        sagaDeadlines.push(currentDeadline());
        return { chargeId: "c1" };
      },
      refund: async () => ({ refunded: true }),
    };
    const riders: RiderPort = {
      assignNearest: async () => Promise.reject(new Error("no riders in this test")),
      release: async () => ({ released: true }),
      hold: async () => ({ restored: true }),
    };
    const config = loadConfig(orderConfigSchema, { DATABASE_URL: db.url, ORDER_PORT: "0", METRICS_PORT: "-1", LOG_LEVEL: "silent" });
    app = await buildApp(config, { logger: pino({ level: "silent" }), inventory, payment, riders, background: false });
    client = createGrpcClient(orderV1.OrderServiceService, `127.0.0.1:${app.port}`, {
      transport: plaintextTransport,
      resilience: new ResilientTarget("test", "order", { timeoutMs: 5_000, breakerThreshold: 100, halfOpenAfterMs: 1_000, retryAttempts: 1, retryInitialDelayMs: 1 }),
      retrySafe: [],
    });
    await client.isReady(5_000);
  });

  afterAll(async () => {
    client?.close();
    await app?.stop();
    await db?.drop();
  });

  const create = (key: string) => ({
    customerId: "alice",
    items: [{ sku: "apple", quantity: 1, priceCents: 0 }],
    deliveryLocation: undefined,
    idempotencyKey: key,
    requestHash: "h",
    waitMs: 3_000,
  });

  it("answers PENDING before the deadline, and the saga, detached from the caller, still confirms the order", async () => {
    const started = Date.now();
    // Wide enough for a loaded CI machine to deliver the call; the saga still outlasts it.
    const { order } = await withDeadline(Date.now() + 1_000, () => client.call.createOrder(create("k1")));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(order?.status).toBe(orderV1.OrderStatus.ORDER_STATUS_PENDING);
    await app.orders.drain();
    expect((await app.orders.get(order!.id)).status).toBe("CONFIRMED");
    expect(sagaDeadlines).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
  });

  it("takes no order when too little of the caller's time is left (OVERLOADED)", async () => {
    // In process: a call sent over the wire with less than the answer margin left may not even
    // arrive in time on a loaded machine, which would test the machine, not the rule.
    const request = { customerId: "alice", lines: [{ sku: "apple", quantity: 1 }], deliveryLocation: null, idempotencyKey: "k2", requestHash: "h" };
    const err = await app.orders.create(request, 3_000, Date.now() + ANSWER_MARGIN_MS - 1).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "unavailable", code: "OVERLOADED" });
    expect(await app.db.selectFrom("orders").select("id").where("idempotency_key", "=", "k2").execute()).toHaveLength(0);
  });
});
