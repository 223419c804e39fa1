import { fileURLToPath } from "node:url";
import { createDatabase, migrate } from "@qc/platform/db";
import { createTestDatabase, type TestDatabase } from "@qc/platform/testing";
import type { Kysely } from "kysely";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InventoryTables } from "../src/adapters/postgres/inventory.tables";
import { PostgresProductStore } from "../src/adapters/postgres/product.repository";
import { RedisCatalogCache } from "../src/adapters/redis/catalog.cache";
import { createRedis, untilReady } from "@qc/platform/redis";
import { SCHEMA } from "../src/app";
import { CachedCatalog } from "../src/app/cached-catalog";
import type { CatalogCache } from "../src/app/catalog-cache.port";
import type { ProductStore } from "../src/app/product-store.port";
import { deleteRedisKeys, randomKeyPrefix, TEST_REDIS_URL } from "@qc/platform/testing";
import { FaultProxy } from "@qc/devstack";
import { product } from "./inventory-harness";

const silent = pino({ level: "silent" });
const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** The real Postgres repository, counting the reads that reach it. */
function counted(store: ProductStore) {
  const reads = { count: 0 };
  const count = <T>(read: Promise<T>): Promise<T> => ((reads.count += 1), read);
  const wrapped: ProductStore = {
    insert: (p) => store.insert(p),
    addStock: (sku, q, max) => store.addStock(sku, q, max),
    find: (sku) => count(store.find(sku)),
    findMany: (skus) => count(store.findMany(skus)),
    listAfter: (after, limit) => count(store.listAfter(after, limit)),
  };
  return { store: wrapped, reads };
}

/** The cache, and a wait for the values the catalog stores in the background (the reader never waits for them). */
function tracked(cache: CatalogCache) {
  const pending = new Set<Promise<void>>();
  const wrapped: CatalogCache = {
    read: (slots) => cache.read(slots),
    store: (entries) => {
      const stored = cache.store(entries);
      pending.add(stored);
      stored.then(
        () => pending.delete(stored),
        () => pending.delete(stored),
      );
      return stored;
    },
    invalidate: (scopes) => cache.invalidate(scopes),
  };
  return { wrapped, stored: async () => void (await Promise.allSettled([...pending])) };
}

let database: TestDatabase;
let db: Kysely<InventoryTables>;
let repository: PostgresProductStore;
const prefixes: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase("qc_inventory_cache");
  ({ db } = createDatabase<InventoryTables>({ url: database.url, schema: SCHEMA }));
  await migrate(db, SCHEMA, MIGRATIONS);
  repository = new PostgresProductStore(db);
  for (const sku of ["sf-1", "sf-2", "down-1", "hang-1"]) await repository.insert(product(sku, 7));
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
  for (const p of prefixes) await deleteRedisKeys(p);
});

/** A catalog over the counted Postgres repository, cached on the Redis at `url`. */
async function catalogOn(url: string, options: { timeoutMs?: number; halfOpenAfterMs?: number } = {}) {
  const keyPrefix = randomKeyPrefix();
  prefixes.push(keyPrefix);
  const redis = createRedis(url, options.timeoutMs ?? 1_000, silent);
  await untilReady(redis, options.timeoutMs ?? 1_000);
  const cache = new RedisCatalogCache(
    redis,
    { keyPrefix, ttlMs: 30_000, halfOpenAfterMs: options.halfOpenAfterMs },
    silent,
  );
  const { store, reads } = counted(repository);
  const { wrapped, stored } = tracked(cache);
  return { catalog: new CachedCatalog(store, wrapped, { ttlMs: 30_000 }), cache, reads, redis, stored };
}

describe("catalog cache on real Redis and Postgres", () => {
  it("makes one database read for 20 concurrent misses of one product, then none", async () => {
    const { catalog, reads, redis, stored } = await catalogOn(TEST_REDIS_URL);
    const answers = await Promise.all(Array.from({ length: 20 }, () => catalog.find("sf-1")));
    expect(answers.map((p) => p?.stock)).toEqual(Array(20).fill(7));
    expect(reads.count).toBe(1);
    await stored(); // the cache is filled without the reader waiting
    expect(
      (await Promise.all(Array.from({ length: 20 }, () => catalog.find("sf-1")))).every((p) => p?.sku === "sf-1"),
    ).toBe(true);
    expect(reads.count).toBe(1);
    expect(catalog.stats()).toMatchObject({ hits: 20, misses: 20, loads: 1, cacheErrors: 0 });
    redis.disconnect();
  });

  it("makes one database read for 20 concurrent misses of one list page", async () => {
    const { catalog, reads, redis } = await catalogOn(TEST_REDIS_URL);
    const pages = await Promise.all(Array.from({ length: 20 }, () => catalog.listAfter(undefined, 3)));
    expect(new Set(pages.map((p) => p.map((x) => x.sku).join()))).toEqual(new Set(["down-1,hang-1,sf-1"]));
    expect(reads.count).toBe(1);
    redis.disconnect();
  });

  it("serves from Postgres when Redis refuses connections, and opens the breaker", async () => {
    const { catalog, cache, reads, redis } = await catalogOn("redis://127.0.0.1:1", { timeoutMs: 200 });
    for (let i = 0; i < 10; i++) expect((await catalog.find("down-1"))?.stock).toBe(7);
    expect(reads.count).toBe(10);
    expect(cache.breakerState).toBe("open");
    redis.disconnect();
  });

  it("stops waiting on a hung Redis once the breaker is open, and uses it again when it is back", async () => {
    const hangable = new FaultProxy(6379, "raw");
    await hangable.listen();
    // The half-open delay outlasts the fast reads below even on a busy machine.
    const { catalog, cache, redis, stored } = await catalogOn(`redis://127.0.0.1:${hangable.port}`, {
      timeoutMs: 300,
      halfOpenAfterMs: 3_000,
    });
    try {
      await catalog.find("hang-1");
      await stored(); // the value is stored in the background; let that finish before Redis hangs
      hangable.set({ kind: "blackhole" });
      const timed = async () => {
        const started = performance.now();
        expect((await catalog.find("hang-1"))?.stock).toBe(7);
        return performance.now() - started;
      };
      // Five reads wait out the command deadline; then the breaker opens and reads skip Redis.
      for (let i = 0; i < 5; i++) expect(await timed()).toBeGreaterThanOrEqual(250);
      expect(cache.breakerState).toBe("open");
      // Well under the 300 ms command deadline: these reads do not wait for Redis at all.
      for (let i = 0; i < 20; i++) expect(await timed()).toBeLessThan(150);
      // Back: the old connection dies with the partition, the client reconnects, the breaker closes.
      hangable.set({ kind: "pass" }, { cut: true });
      await new Promise((resolve) => setTimeout(resolve, 3_100));
      await untilReady(redis, 1_000);
      await catalog.find("hang-1");
      expect(cache.breakerState).toBe("closed");
      await stored();
      const hits = catalog.stats().hits;
      await catalog.find("hang-1");
      expect(catalog.stats().hits).toBe(hits + 1);
    } finally {
      redis.disconnect();
      await hangable.close();
    }
  });
});
