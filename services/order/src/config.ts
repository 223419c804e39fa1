import {
  address,
  booleanOr,
  loadConfig,
  logLevel,
  metricsPort,
  numberOr,
  port,
  positiveInt,
  stringOr,
} from "@qc/platform/config";
import { grpcTlsConfig } from "@qc/platform/grpc";
import { optionalPostgresUrl, dataDir, shutdownTimeoutMs, databasePoolConfig } from "@qc/platform/runtime-config";
import * as v from "valibot";

export const orderConfigSchema = v.object({
  // Unset: the embedded database (PGlite) in <DATA_DIR>/order/, so a fresh machine needs nothing but Node.js.
  DATABASE_URL: optionalPostgresUrl,
  DATA_DIR: dataDir,
  SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs,
  ORDER_HOST: stringOr("127.0.0.1"),
  ORDER_PORT: port(50051),
  /** Prometheus `/metrics` on its own port (0: a free one, -1: none). */
  METRICS_PORT: metricsPort(9461),
  INVENTORY_ADDR: address("127.0.0.1:50052"),
  PAYMENT_ADDR: address("127.0.0.1:50053"),
  RIDER_ADDR: address("127.0.0.1:50054"),
  /** Where an order without a delivery location is delivered (the store), for rider assignment. */
  STORE_LAT: v.pipe(numberOr(52.5219), v.minValue(-85), v.maxValue(85)),
  STORE_LON: v.pipe(numberOr(13.4132), v.minValue(-180), v.maxValue(180)),
  RIDER_RETRY_INTERVAL_MS: positiveInt(2_000),
  ...databasePoolConfig,
  /** Deadline of one call to Inventory or Payment. */
  UPSTREAM_TIMEOUT_MS: positiveInt(2_000),
  /** Pause before repeating a failed call that is safe to repeat (reads, idempotent DeductStock/Charge). */
  UPSTREAM_RETRY_DELAY_MS: positiveInt(50),
  BREAKER_THRESHOLD: positiveInt(5),
  BREAKER_HALF_OPEN_MS: positiveInt(5_000),
  /** Upper bound on how long CreateOrder waits for its saga before answering PENDING. */
  MAX_WAIT_MS: positiveInt(10_000),
  /** How long a replica owns a saga before another may take it over. */
  SAGA_LEASE_MS: positiveInt(30_000),
  RECOVERY_INTERVAL_MS: positiveInt(1_000),
  /** Stale sagas one replica takes over per tick; small batches spread a backlog across replicas. */
  RECOVERY_BATCH_SIZE: positiveInt(20),
  COMPENSATION_ATTEMPTS: positiveInt(3),
  COMPENSATION_BACKOFF_MS: positiveInt(100),
  DEAD_LETTER_REDRIVE_MS: positiveInt(2_000),
  /**
   * How often a WatchOrder stream reads its order again without being told of a change (LISTEN/NOTIFY
   * tells of every change; this is only a safety net).
   */
  WATCH_REREAD_MS: positiveInt(30_000),
  /** Mutual TLS for gRPC (all three, or none for plaintext); checked and read by `grpcTransport`. */
  ...grpcTlsConfig,
  LOG_LEVEL: logLevel,
  LOG_PRETTY: booleanOr(false),
});

export type OrderConfig = v.InferOutput<typeof orderConfigSchema>;

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadOrderConfig(env: NodeJS.ProcessEnv = process.env): Readonly<OrderConfig> {
  return loadConfig(orderConfigSchema, env);
}
