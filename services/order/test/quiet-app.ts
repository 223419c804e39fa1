import { loadConfig } from "@qc/platform/config";
import { pino } from "pino";
import { buildApp, orderConfigSchema, type OrderApp } from "../src/app";
import type { InventoryPort, PaymentPort, RiderPort } from "../src/app/dependencies.port";

/** The dependencies an order app under test calls, each a fake of its port. */
export interface FakeUpstreams {
  readonly inventory: InventoryPort;
  readonly payment: PaymentPort;
  readonly riders: RiderPort;
}

/**
 * The order service on `databaseUrl`, serving gRPC on a free port, with no log, no metrics port and
 * no background loops (a test drives those by hand), calling `upstreams` in process.
 */
export async function quietOrderApp(databaseUrl: string, upstreams: FakeUpstreams): Promise<OrderApp> {
  const config = loadConfig(orderConfigSchema, {
    DATABASE_URL: databaseUrl,
    ORDER_PORT: "0",
    METRICS_PORT: "-1",
    LOG_LEVEL: "silent",
  });
  return buildApp(config, { logger: pino({ level: "silent" }), ...upstreams, background: false });
}
