import { loadConfig, logLevel, port, positiveInt, postgresUrl } from "@qc/platform";
import { z } from "zod";

/** Environment of the inventory service, keyed by variable name. */
export const inventoryConfigSchema = z.object({
  DATABASE_URL: postgresUrl.default("postgres://postgres@127.0.0.1:5432/test"),
  // Loopback by default so a developer's machine does not expose the service; set 0.0.0.0 in containers.
  INVENTORY_HOST: z.string().min(1).default("127.0.0.1"),
  INVENTORY_PORT: port(50052),
  DB_POOL_SIZE: positiveInt(10),
  LOG_LEVEL: logLevel,
  LOG_PRETTY: z.stringbool().default(false),
});

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadInventoryConfig(env: NodeJS.ProcessEnv = process.env): Readonly<InventoryConfig> {
  return loadConfig(inventoryConfigSchema, env);
}
