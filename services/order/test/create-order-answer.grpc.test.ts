import { randomUUID } from "node:crypto";
import { orderV1 } from "@qc/contracts";
import { AppError } from "@qc/platform/errors";
import { createTestDatabase, serviceUnderTestClient, type TestDatabase } from "@qc/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderApp } from "../src/app";
import { quietOrderApp } from "./quiet-app";

const PRICES: Readonly<Record<string, number>> = { apple: 150, pear: 99 };

// CreateOrder answers without reading the order back once its saga has ended: what it answers must be
// exactly what a read right after shows (the database's timestamps, the reserved prices, the rider).
describe("CreateOrder's answer over gRPC", () => {
  let db: TestDatabase;
  let app: OrderApp;
  let client: ReturnType<typeof serviceUnderTestClient<typeof orderV1.OrderServiceService>>;

  beforeAll(async () => {
    db = await createTestDatabase("qc_order_answer");
    app = await quietOrderApp(db.url, {
      inventory: {
        catalog: async (skus) =>
          new Map(skus.flatMap((sku) => (sku in PRICES ? [[sku, { priceCents: PRICES[sku]!, currency: "EUR" }]] : []))),
        deductStock: async (_orderId, lines) => {
          const priced = lines.map((l) => ({ ...l, unitPriceCents: PRICES[l.sku]! }));
          return {
            lines: priced,
            totalCents: priced.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
            currency: "EUR",
          };
        },
        addStock: async () => ({ restored: true }),
      },
      payment: {
        charge: async (_orderId, customerId) => {
          if (customerId === "broke") throw new AppError("refused", "PAYMENT_DECLINED", "declined");
          return { chargeId: randomUUID() };
        },
        refund: async () => ({ refunded: false }),
      },
      riders: {
        assignNearest: async (orderId) => {
          if (orderId.startsWith("0")) throw new AppError("refused", "NO_RIDER_AVAILABLE", "none free");
          return { riderId: `rider-${orderId.slice(0, 8)}` };
        },
        release: async () => ({ released: true }),
        hold: async () => ({ restored: false }),
      },
    });
    client = serviceUnderTestClient(orderV1.OrderServiceService, "order", app.port, 10_000);
  });

  afterAll(async () => {
    client?.close();
    await app?.stop();
    await db?.drop();
  });

  const place = (customerId: string, idempotencyKey = "") =>
    client.call.createOrder({
      customerId,
      items: [
        { sku: "pear", quantity: 3, priceCents: 0 },
        { sku: "apple", quantity: 2, priceCents: 0 },
      ],
      deliveryLocation: { lat: 52.5, lon: 13.4 },
      idempotencyKey,
      requestHash: "h",
      waitMs: 5_000,
    });

  it("answers a confirmed order exactly as GetOrder reads it right after", async () => {
    for (let i = 0; i < 4; i++) {
      const { order, replayed } = await place(`alice-${i}`);
      expect(replayed).toBe(false);
      expect(order?.status).toBe(orderV1.OrderStatus.ORDER_STATUS_CONFIRMED);
      expect(order?.totalCents).toBe(3 * 99 + 2 * 150);
      // With a rider when one was free (and then the assignment's own timestamp), without one otherwise.
      expect(order?.riderId).toBe(order!.id.startsWith("0") ? "" : `rider-${order!.id.slice(0, 8)}`);
      expect((await client.call.getOrder({ id: order!.id })).order).toEqual(order);
    }
  });

  it("answers a failed order exactly as GetOrder reads it right after", async () => {
    const { order } = await place("broke");
    expect(order).toMatchObject({ status: orderV1.OrderStatus.ORDER_STATUS_FAILED, failureReason: "PAYMENT_DECLINED" });
    expect((await client.call.getOrder({ id: order!.id })).order).toEqual(order);
  });

  it("replays a known key as stored, also while the first answer is the only one written", async () => {
    const key = randomUUID();
    const first = await place("carol", key);
    const again = await place("carol", key);
    expect(again.replayed).toBe(true);
    expect(again.order).toEqual(first.order);
  });
});
