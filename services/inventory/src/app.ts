import { fileURLToPath } from "node:url";
import { createDatabase, createLogger, migrate, startGrpcServer, type Logger } from "@qc/platform";
import { inventoryGrpcService } from "./adapters/grpc/inventory.grpc";
import type { InventoryTables } from "./adapters/postgres/inventory.tables";
import { PostgresProductRepository } from "./adapters/postgres/product.repository";
import { PostgresStockLedger } from "./adapters/postgres/stock-ledger.repository";
import { InventoryService } from "./app/inventory.service";
import type { InventoryConfig } from "./config";

export { InventoryService } from "./app/inventory.service";
export { loadInventoryConfig, type InventoryConfig } from "./config";

/** The inventory's own Postgres schema (database-per-service by schema). */
export const SCHEMA = "inventory";
const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

export interface InventoryApp {
  /** The use cases, for in-process callers and tests; the gRPC server calls the same object. */
  readonly inventory: InventoryService;
  /** The port the gRPC server is bound to (the real one when INVENTORY_PORT is 0). */
  readonly port: number;
  /** Stops the gRPC server (in-flight calls finish first), then closes the database pool. */
  readonly stop: () => Promise<void>;
}

/** The composition root: database and migrations → repositories → use cases → gRPC server. */
export async function buildApp(config: Readonly<InventoryConfig>, overrides: { logger?: Logger } = {}): Promise<InventoryApp> {
  const logger = overrides.logger ?? createLogger("inventory", config.LOG_LEVEL, config.LOG_PRETTY);
  const { db } = createDatabase<InventoryTables>({ url: config.DATABASE_URL, schema: SCHEMA, poolSize: config.DB_POOL_SIZE });
  try {
    await migrate(db, SCHEMA, MIGRATIONS_DIR);
    const inventory = new InventoryService(new PostgresProductRepository(db), new PostgresStockLedger(db));
    const server = await startGrpcServer([inventoryGrpcService(inventory, logger)], config.INVENTORY_HOST, config.INVENTORY_PORT);
    logger.info({ host: config.INVENTORY_HOST, port: server.port }, "inventory listening");
    return {
      inventory,
      port: server.port,
      stop: async () => {
        await server.stop();
        await db.destroy();
      },
    };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
