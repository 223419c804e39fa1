import { inventoryV1 } from "@qc/contracts";
import type { PromiseClient } from "@qc/platform/grpc";
import {
  createTestStore,
  failureOf,
  serviceUnderTestClient,
  type DatabaseKind,
  type TestStore,
} from "@qc/platform/testing";
import { forSuite } from "@qc/platform/testing/suite";
import { buildApp, type InventoryApp } from "../src/app";
import { loadInventoryConfig } from "../src/config";
import { deleteRedisKeys, randomKeyPrefix } from "@qc/platform/testing";

export interface InventoryHarness {
  readonly app: InventoryApp;
  /** The service over a real gRPC socket; no retries, so every call is exactly one attempt. */
  readonly call: PromiseClient<inventoryV1.InventoryServiceService>;
  readonly database: TestStore;
  close(): Promise<void>;
}

/**
 * The inventory app on a fresh throw-away database (a real Postgres server's, or an embedded PGlite
 * one) and an ephemeral port, with a client to it. `env` overrides any variable; with a REDIS_URL the
 * catalog cache gets a key prefix of its own, deleted on close.
 */
export async function startInventory(
  env: NodeJS.ProcessEnv = {},
  kind: DatabaseKind = "postgres",
): Promise<InventoryHarness> {
  const database = await createTestStore(kind, "inventory");
  const keyPrefix = randomKeyPrefix();
  let app: InventoryApp;
  try {
    app = await buildApp(
      loadInventoryConfig({
        ...database.env,
        INVENTORY_PORT: "0",
        LOG_LEVEL: "silent",
        REDIS_KEY_PREFIX: keyPrefix,
        ...env,
      }),
    );
  } catch (err) {
    await database.drop();
    throw err;
  }
  // Generous deadline: the concurrency tests queue dozens of calls on a small connection pool.
  const client = serviceUnderTestClient(inventoryV1.InventoryServiceService, "inventory", app.port, 20_000);
  return {
    app,
    call: client.call,
    database,
    close: async () => {
      client.close();
      await app.stop();
      await database.drop();
      if (app.cacheMode === "redis") await deleteRedisKeys(keyPrefix);
    },
  };
}

/** The inventory app for the tests of the enclosing `describe` (started before them, closed after). */
export const inventoryForSuite = (env: NodeJS.ProcessEnv = {}, kind: DatabaseKind = "postgres"): InventoryHarness =>
  forSuite(() => startInventory(env, kind));

/** The error a call failed with: gRPC status and `qc-error-code` (the platform's test helper, re-exported for these tests). */
export { failureOf };

/** The failures among settled calls, each as `failureOf` describes it. */
export async function failuresAmong(
  outcomes: readonly PromiseSettledResult<unknown>[],
): Promise<Awaited<ReturnType<typeof failureOf>>[]> {
  return Promise.all(
    outcomes.flatMap((o) => (o.status === "rejected" ? [failureOf(Promise.reject(o.reason as Error))] : [])),
  );
}

export const product = (sku: string, stock: number, priceCents = 100): inventoryV1.Product => ({
  sku,
  name: `Product ${sku}`,
  priceCents,
  currency: "EUR",
  stock,
});

export async function stockOf(harness: InventoryHarness, sku: string): Promise<number> {
  const { product: found } = await harness.call.getProduct({ sku });
  return found?.stock ?? Number.NaN;
}
