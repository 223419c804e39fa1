import {
  booleanOr,
  loadConfig,
  optionalRedisUrl,
  redisKeyPrefix,
  logLevel,
  metricsPort,
  port,
  positiveInt,
  stringOr,
} from "@qc/platform/config";
import { grpcTlsConfig } from "@qc/platform/grpc";
import { optionalPostgresUrl, dataDir, shutdownTimeoutMs, databasePoolConfig } from "@qc/platform/runtime-config";
import * as v from "valibot";

/** Environment of the inventory service, keyed by variable name. */
export const inventoryConfigSchema = v.object({
  // Unset: the embedded database (PGlite) in <DATA_DIR>/inventory/, so a fresh machine needs nothing but Node.js.
  DATABASE_URL: optionalPostgresUrl,
  DATA_DIR: dataDir,
  SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs,
  // Unset (or empty, as compose files often leave it) caches the catalog in process instead of Redis.
  REDIS_URL: optionalRedisUrl,
  REDIS_KEY_PREFIX: redisKeyPrefix,
  // Connect and command deadline. A cache that answers later than this is slower than no cache.
  REDIS_TIMEOUT_MS: positiveInt(250),
  CATALOG_CACHE_TTL_MS: positiveInt(30_000),
  // Bound of the in-process cache (used without REDIS_URL); Redis is bounded by its own maxmemory.
  CATALOG_CACHE_MAX_ENTRIES: positiveInt(10_000),
  // Loopback by default so a developer's machine does not expose the service; set 0.0.0.0 in containers.
  INVENTORY_HOST: stringOr("127.0.0.1"),
  INVENTORY_PORT: port(50052),
  // Prometheus /metrics on its own port (0: a free one, -1: none).
  METRICS_PORT: metricsPort(9462),
  ...databasePoolConfig,
  /** Mutual TLS for gRPC (all three, or none for plaintext); checked and read by `grpcTransport`. */
  ...grpcTlsConfig,
  LOG_LEVEL: logLevel,
  LOG_PRETTY: booleanOr(false),
});

export type InventoryConfig = v.InferOutput<typeof inventoryConfigSchema>;

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadInventoryConfig(env: NodeJS.ProcessEnv = process.env): Readonly<InventoryConfig> {
  return loadConfig(inventoryConfigSchema, env);
}
