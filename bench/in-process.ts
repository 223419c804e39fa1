/**
 * The same use cases and repositories as the stack, wired in one process with direct calls instead
 * of gRPC and HTTP: what the microservice split costs is the difference.
 */
import { randomUUID } from "node:crypto";
import { buildApp as buildInventory, loadInventoryConfig } from "@qc/inventory";
import {
  buildApp as buildOrder,
  orderConfigSchema,
  type InventoryPort,
  type PaymentPort,
  type RiderPort,
} from "@qc/order";
import { buildApp as buildPayment, paymentConfigSchema } from "@qc/payment";
import { buildApp as buildRider, loadRiderConfig } from "@qc/rider";
import { loadConfig } from "@qc/platform/config";
import { createLogger } from "@qc/platform/log";

export interface InProcessPlatform {
  placeOrder(customerId: string, lines: { sku: string; quantity: number }[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startInProcess(databaseUrl: string, poolSize: number): Promise<InProcessPlatform> {
  const env = { DATABASE_URL: databaseUrl, DB_POOL_SIZE: String(poolSize), LOG_LEVEL: "warn" };
  const logger = createLogger("in-process", "warn");
  const inventoryApp = await buildInventory(loadInventoryConfig({ ...env, INVENTORY_PORT: "0" }), { logger });
  const paymentApp = await buildPayment(loadConfig(paymentConfigSchema, { ...env, PAYMENT_PORT: "0" }), { logger });
  // The rider index in process memory, as in the stack the benchmark starts (no REDIS_URL).
  const riderApp = await buildRider(loadRiderConfig({ LOG_LEVEL: "warn", RIDER_PORT: "0", REDIS_URL: "" }), { logger });
  const { batchGetProducts, deductStock, addStock } = inventoryApp;
  const { chargeOrder, refundOrder } = paymentApp;
  const inventoryPort: InventoryPort = {
    catalog: async (skus) =>
      new Map(
        (await batchGetProducts.execute(skus)).map((p) => [p.sku, { priceCents: p.priceCents, currency: p.currency }]),
      ),
    deductStock: async (orderId, lines) => {
      const d = await deductStock.execute(orderId, lines);
      return {
        lines: d.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceCents: l.unitPriceCents })),
        totalCents: d.totalCents,
        currency: d.currency,
      };
    },
    addStock: (orderId) => addStock.execute(orderId),
  };
  const paymentPort: PaymentPort = {
    charge: async (orderId, customerId, amountCents, currency) => ({
      chargeId: (await chargeOrder.execute({ orderId, customerId, amountCents, currency })).chargeId,
    }),
    refund: (orderId) => refundOrder.execute({ orderId }),
  };
  const riderPort: RiderPort = {
    assignNearest: async (orderId, lat, lon) => ({
      riderId: (await riderApp.assignNearestRider.execute({ orderId, lat, lon })).riderId,
    }),
    release: (orderId, riderId) => riderApp.releaseRider.execute(orderId, riderId),
    hold: (orderId, riderId) => riderApp.holdRider.execute({ orderId, riderId }),
  };
  const orderApp = await buildOrder(loadConfig(orderConfigSchema, { ...env, ORDER_PORT: "0" }), {
    logger,
    inventory: inventoryPort,
    payment: paymentPort,
    riders: riderPort,
    background: false,
  });
  return {
    placeOrder: async (customerId, lines) => {
      const { order } = await orderApp.createOrder.execute(
        { customerId, lines, deliveryLocation: null, idempotencyKey: randomUUID(), requestHash: "" },
        30_000,
      );
      return order.status;
    },
    stop: async () => {
      await orderApp.stop();
      await riderApp.stop();
      await paymentApp.stop();
      await inventoryApp.stop();
    },
  };
}
