import { fileURLToPath } from "node:url";
import { openServiceDatabase, migrate } from "@qc/platform/db";
import { grpcTransport, startGrpcServer } from "@qc/platform/grpc";
import { HealthService, serviceNameOf } from "@qc/platform/health";
import { createLogger, type Logger } from "@qc/platform/log";
import { poolOptionsOf } from "@qc/platform/runtime-config";
import { Metrics } from "@qc/platform/observability";
import { inventoryGrpcService, type InventoryUseCases } from "./adapters/grpc/inventory.grpc";
import { MemoryCatalogCache } from "./adapters/memory/catalog.cache";
import type { InventoryTables } from "./adapters/postgres/inventory.tables";
import { PostgresProductStore } from "./adapters/postgres/product.repository";
import { PostgresStockLedger } from "./adapters/postgres/stock-ledger.repository";
import { RedisCatalogCache } from "./adapters/redis/catalog.cache";
import { createRedis, untilReady } from "@qc/platform/redis";
import { observeCatalogCache } from "./adapters/telemetry/catalog.metrics";
import { CachedCatalog } from "./app/cached-catalog";
import { inventoryUseCases } from "./app/inventory-use-cases";
import type { InventoryConfig } from "./config";

export { loadInventoryConfig, type InventoryConfig } from "./config";

/** The inventory's own Postgres schema (database-per-service by schema). */
export const SCHEMA = "inventory";
const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

/** The use cases by name, for in-process callers and tests; the gRPC server calls the same ones. */
export interface InventoryApp extends InventoryUseCases {
  /** The cached catalog the reads go through; `stats()` counts hits, misses and store reads. */
  readonly catalog: CachedCatalog;
  /** Where the catalog is cached: Redis when REDIS_URL is set, this process's memory otherwise. */
  readonly cacheMode: "redis" | "memory";
  /** The port the gRPC server is bound to (the real one when INVENTORY_PORT is 0). */
  readonly port: number;
  /** Reports NOT_SERVING, stops the gRPC server (in-flight calls finish first), then closes the database and Redis. */
  readonly stop: () => Promise<void>;
}

/** The composition root: database and migrations, cache → repositories → use cases → gRPC server. */
export async function buildApp(
  config: Readonly<InventoryConfig>,
  overrides: { logger?: Logger; metrics?: Metrics } = {},
): Promise<InventoryApp> {
  const logger = overrides.logger ?? createLogger("inventory", config.LOG_LEVEL, config.LOG_PRETTY);
  // Before anything is opened: bad TLS settings stop the start.
  const transport = grpcTransport(config);
  const metrics = overrides.metrics ?? new Metrics("inventory");
  const database = openServiceDatabase<InventoryTables>({
    service: "inventory",
    schema: SCHEMA,
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    ...poolOptionsOf(config),
    logger,
  });
  const { db } = database;
  const redis =
    config.REDIS_URL === undefined ? undefined : createRedis(config.REDIS_URL, config.REDIS_TIMEOUT_MS, logger);
  const closeStores = async (): Promise<void> => {
    redis?.disconnect();
    await database.close();
  };
  try {
    const ttlMs = config.CATALOG_CACHE_TTL_MS;
    const cache = redis
      ? new RedisCatalogCache(redis, { keyPrefix: config.REDIS_KEY_PREFIX, ttlMs }, logger)
      : new MemoryCatalogCache({ ttlMs, maxEntries: config.CATALOG_CACHE_MAX_ENTRIES });
    // A Redis that is down is not fatal: reads go to Postgres until it is back.
    const [, redisReady] = await Promise.all([
      migrate(db, SCHEMA, MIGRATIONS_DIR, logger),
      redis && untilReady(redis, config.REDIS_TIMEOUT_MS),
    ]);
    if (redisReady === false) logger.warn("redis not reachable yet; reading the catalog from Postgres until it is");
    const products = new PostgresProductStore(db);
    const catalog = new CachedCatalog(products, cache, { ttlMs });
    observeCatalogCache(metrics, catalog);
    const ledger = new PostgresStockLedger(db);
    const inventory: InventoryUseCases = inventoryUseCases(products, ledger, catalog);
    const grpcService = inventoryGrpcService(inventory, logger);
    // SERVING while the database answers. Redis is only a cache (reads fall back to the database), so it does not count.
    const health = new HealthService({
      services: [serviceNameOf(grpcService.definition)],
      probes: { database: database.ping },
      logger,
    });
    await health.start();
    const server = await startGrpcServer(
      [grpcService, health.grpcService],
      config.INVENTORY_HOST,
      config.INVENTORY_PORT,
      { transport, metrics },
    );
    const cacheMode = redis ? "redis" : "memory";
    logger.info(
      { host: config.INVENTORY_HOST, port: server.port, cacheMode },
      `inventory listening; catalog cached in ${cacheMode}`,
    );
    return {
      ...inventory,
      catalog,
      cacheMode,
      port: server.port,
      stop: async () => {
        // NOT_SERVING first, then no new calls while those in flight finish, then the stores.
        health.shutdown();
        await server.stop(config.SHUTDOWN_TIMEOUT_MS / 2);
        await closeStores();
      },
    };
  } catch (err) {
    await closeStores();
    throw err;
  }
}
