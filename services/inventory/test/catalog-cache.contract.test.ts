import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCatalogCache } from "../src/adapters/memory/catalog.cache";
import { RedisCatalogCache } from "../src/adapters/redis/catalog.cache";
import { createRedis, untilReady } from "@qc/platform/redis";
import type { CatalogCache } from "../src/app/catalog-cache.port";
import { deleteRedisKeys, randomKeyPrefix, TEST_REDIS_URL } from "@qc/platform/testing";

/** Long enough for a store and the reads after it to end inside it on a loaded machine. */
const TTL_MS = 1_000;
const silent = pino({ level: "silent" });

const adapters: [string, () => Promise<{ cache: CatalogCache; close: () => Promise<void> }>][] = [
  [
    "memory",
    async () => ({ cache: new MemoryCatalogCache({ ttlMs: TTL_MS, maxEntries: 1_000 }), close: async () => undefined }),
  ],
  [
    "redis",
    async () => {
      const keyPrefix = randomKeyPrefix();
      const redis = createRedis(TEST_REDIS_URL, 1_000, silent);
      await untilReady(redis, 1_000);
      return {
        cache: new RedisCatalogCache(redis, { keyPrefix, ttlMs: TTL_MS }, silent),
        close: async () => {
          redis.disconnect();
          await deleteRedisKeys(keyPrefix);
        },
      };
    },
  ],
];

describe.each(adapters)("catalog cache contract: %s", (_name, open) => {
  let cache: CatalogCache;
  let close: () => Promise<void>;
  let n = 0;
  /** A slot (and scope) no other test touches. */
  const fresh = (scope = `scope-${++n}`) => ({ key: `key-${++n}`, scope });

  beforeAll(async () => {
    ({ cache, close } = await open());
  });

  afterAll(async () => {
    await close?.();
  });

  it("misses a slot never stored, telling its generation", async () => {
    const [lookup] = await cache.read([fresh()]);
    expect(lookup?.value).toBeUndefined();
    expect(typeof lookup?.generation).toBe("string");
  });

  it("answers what was stored under the current generation, in the order asked", async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const [ga, , gc] = await cache.read([a, b, c]);
    await cache.store([
      { ...a, generation: ga?.generation ?? "", value: "alpha" },
      { ...c, generation: gc?.generation ?? "", value: '{"sku":"x:y","name":"Äpfel 🍎"}' },
    ]);
    expect((await cache.read([c, b, a])).map((l) => l.value)).toEqual([
      '{"sku":"x:y","name":"Äpfel 🍎"}',
      undefined,
      "alpha",
    ]);
  });

  it("misses after its scope was invalidated, and leaves other scopes alone", async () => {
    const [a, b] = [fresh(), fresh()];
    const [ga, gb] = await cache.read([a, b]);
    await cache.store([
      { ...a, generation: ga?.generation ?? "", value: "a" },
      { ...b, generation: gb?.generation ?? "", value: "b" },
    ]);
    await cache.invalidate([a.scope]);
    const [after, other] = await cache.read([a, b]);
    expect(after?.value).toBeUndefined();
    expect(after?.generation).not.toBe(ga?.generation);
    expect(other).toEqual({ value: "b", generation: gb?.generation });
  });

  it("never answers a value stored under a generation its scope has left", async () => {
    const slot = fresh();
    const [before] = await cache.read([slot]);
    await cache.invalidate([slot.scope]);
    await cache.store([{ ...slot, generation: before?.generation ?? "", value: "stale" }]);
    const [now] = await cache.read([slot]);
    expect(now?.value).toBeUndefined();
    await cache.store([{ ...slot, generation: now?.generation ?? "", value: "fresh" }]);
    expect((await cache.read([slot]))[0]?.value).toBe("fresh");
  });

  it("invalidates every key of a shared scope at once", async () => {
    const scope = `shared-${++n}`;
    const [a, b] = [fresh(scope), fresh(scope)];
    const [g] = await cache.read([a]);
    await cache.store([
      { ...a, generation: g?.generation ?? "", value: "page 1" },
      { ...b, generation: g?.generation ?? "", value: "page 2" },
    ]);
    await cache.invalidate([scope, scope]);
    expect((await cache.read([a, b])).map((l) => l.value)).toEqual([undefined, undefined]);
  });

  it("forgets values after the TTL", async () => {
    const slot = fresh();
    const [g] = await cache.read([slot]);
    await cache.store([{ ...slot, generation: g?.generation ?? "", value: "short-lived" }]);
    expect((await cache.read([slot]))[0]?.value).toBe("short-lived");
    await sleep(TTL_MS + 100);
    expect((await cache.read([slot]))[0]?.value).toBeUndefined();
  });
});
