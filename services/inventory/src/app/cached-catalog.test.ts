import { afterEach, describe, expect, it, vi } from "vitest";
import type { Product } from "../domain/product";
import { CachedCatalog } from "./cached-catalog";
import type { CacheEntry, CacheSlot, CatalogCache } from "./catalog-cache.port";
import type { ProductStore } from "./product-store.port";

const apple: Product = { sku: "apple", name: "Apple", priceCents: 120, currency: "EUR", stock: 10 };
const pear: Product = { sku: "pear", name: "Pear", priceCents: 80, currency: "EUR", stock: 1 };

/** A store over `rows` that counts its reads; `gate` holds every read open until released. */
function countingStore(rows: Product[], gate: Promise<void> = Promise.resolve()) {
  const bySku = () => new Map(rows.map((p) => [p.sku, p]));
  return {
    insert: async (p: Product) => p,
    find: vi.fn(async (sku: string) => (await gate, bySku().get(sku))),
    findMany: vi.fn(async (skus: readonly string[]) => (await gate, skus.flatMap((s) => bySku().get(s) ?? []))),
    listAfter: vi.fn(
      async (after: string | undefined, limit: number) => (
        await gate,
        rows.filter((p) => after === undefined || p.sku > after).slice(0, limit)
      ),
    ),
    addStock: async () => ({ kind: "not_found" }) as const,
  } satisfies ProductStore;
}

/** A cache with generation semantics in a few lines; `fail` makes every call throw. */
function fakeCache(options: { fail?: boolean } = {}) {
  const values = new Map<string, CacheEntry>();
  const generations = new Map<string, number>();
  const generationOf = (scope: string) => String(generations.get(scope) ?? 0);
  const broken = () => (options.fail ? Promise.reject(new Error("redis down")) : undefined);
  return {
    values,
    read: vi.fn(async (slots: readonly CacheSlot[]) => {
      await broken();
      return slots.map((s) => {
        const e = values.get(s.key);
        const generation = generationOf(s.scope);
        return { value: e?.generation === generation ? e.value : undefined, generation };
      });
    }),
    store: vi.fn(async (entries: readonly CacheEntry[]) => {
      await broken();
      for (const e of entries) values.set(e.key, e);
    }),
    invalidate: vi.fn(async (scopes: readonly string[]) => {
      await broken();
      for (const s of scopes) generations.set(s, (generations.get(s) ?? 0) + 1);
    }),
  } satisfies CatalogCache & { values: unknown };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe("CachedCatalog", () => {
  it("makes one store read for 20 concurrent misses of one product", async () => {
    let open!: () => void;
    const store = countingStore([apple], new Promise<void>((resolve) => (open = resolve)));
    const catalog = new CachedCatalog(store, fakeCache(), { ttlMs: 30_000 });
    const reads = Array.from({ length: 20 }, () => catalog.find("apple"));
    await settle();
    open();
    expect(await Promise.all(reads)).toEqual(Array(20).fill(apple));
    expect(store.findMany).toHaveBeenCalledTimes(1);
    expect(catalog.stats()).toMatchObject({ misses: 20, loads: 1 });
  });

  // Seen on a loaded CI machine with real Redis: of 20 concurrent misses, one whose lookup answered
  // after the first load had finished (its value not yet stored) started a second load.
  it("lets a reader whose miss arrives after an equal load finished, before its value is stored, reuse that load", async () => {
    const store = countingStore([apple]);
    const cache = fakeCache();
    let storeDone!: () => void;
    cache.store.mockImplementationOnce(async (entries) => {
      await new Promise<void>((resolve) => (storeDone = resolve));
      for (const e of entries) cache.values.set(e.key, e);
    });
    const catalog = new CachedCatalog(store, cache, { ttlMs: 30_000 });
    let lateLookup!: () => void;
    const realRead = cache.read.getMockImplementation()!;
    cache.read.mockImplementationOnce(realRead).mockImplementationOnce(async (slots) => {
      const seen = await realRead(slots); // the miss, at the generation the first reader saw
      await new Promise<void>((resolve) => (lateLookup = resolve));
      return seen;
    });
    const first = catalog.find("apple");
    const late = catalog.find("apple");
    expect(await first).toEqual(apple);
    lateLookup();
    expect(await late).toEqual(apple);
    expect(store.findMany).toHaveBeenCalledTimes(1);
    storeDone();
  });

  it("answers the next read from the cache", async () => {
    const store = countingStore([apple]);
    const catalog = new CachedCatalog(store, fakeCache(), { ttlMs: 30_000 });
    await catalog.find("apple");
    await settle();
    expect(await catalog.find("apple")).toEqual(apple);
    expect(store.findMany).toHaveBeenCalledTimes(1);
    expect(catalog.stats()).toEqual({ hits: 1, misses: 1, loads: 1, cacheErrors: 0 });
  });

  it("caches a missing product as missing, and drops it from batch answers", async () => {
    const store = countingStore([apple]);
    const catalog = new CachedCatalog(store, fakeCache(), { ttlMs: 30_000 });
    expect(await catalog.findMany(["kiwi", "apple"])).toEqual([apple]);
    await settle();
    expect(await catalog.find("kiwi")).toBeUndefined();
    expect(await catalog.findMany(["apple", "kiwi"])).toEqual([apple]);
    expect(store.findMany).toHaveBeenCalledTimes(1);
  });

  it("reads only the misses of a batch from the store", async () => {
    const store = countingStore([apple, pear]);
    const catalog = new CachedCatalog(store, fakeCache(), { ttlMs: 30_000 });
    await catalog.find("apple");
    await settle();
    expect(await catalog.findMany(["pear", "apple"])).toEqual([pear, apple]);
    expect(store.findMany).toHaveBeenLastCalledWith(["pear"]);
  });

  it("reads list pages through the cache, and a write makes them miss", async () => {
    const store = countingStore([apple, pear]);
    const catalog = new CachedCatalog(store, fakeCache(), { ttlMs: 30_000 });
    expect(await catalog.listAfter(undefined, 2)).toEqual([apple, pear]);
    await settle();
    expect(await catalog.listAfter(undefined, 2)).toEqual([apple, pear]);
    expect(store.listAfter).toHaveBeenCalledTimes(1);
    await catalog.changed(["pear"]);
    await catalog.listAfter(undefined, 2);
    expect(store.listAfter).toHaveBeenCalledTimes(2);
  });

  it("invalidates the products' scopes and the list scope after a write", async () => {
    const cache = fakeCache();
    await new CachedCatalog(countingStore([]), cache, { ttlMs: 30_000 }).changed(["apple", "pear"]);
    expect(cache.invalidate).toHaveBeenCalledWith(["product:apple", "product:pear", "list"]);
  });

  it("does not let a reader who saw a write join a load that started before it", async () => {
    let open!: () => void;
    const store = countingStore([apple], new Promise<void>((resolve) => (open = resolve)));
    const cache = fakeCache();
    const catalog = new CachedCatalog(store, cache, { ttlMs: 30_000 });
    const before = catalog.find("apple");
    await settle();
    await catalog.changed(["apple"]);
    const after = catalog.find("apple");
    await settle();
    open();
    await Promise.all([before, after]);
    expect(store.findMany).toHaveBeenCalledTimes(2);
  });

  it("never answers what a load that raced with a write stored", async () => {
    let open!: () => void;
    const store = countingStore([apple], new Promise<void>((resolve) => (open = resolve)));
    const cache = fakeCache();
    const catalog = new CachedCatalog(store, cache, { ttlMs: 30_000 });
    const racing = catalog.find("apple");
    await settle();
    await catalog.changed(["apple"]);
    open();
    await racing;
    await settle();
    expect(cache.store).toHaveBeenCalledWith([expect.objectContaining({ key: "v1:product:apple", generation: "0" })]);
    await catalog.find("apple");
    expect(store.findMany).toHaveBeenCalledTimes(2);
  });

  it("falls back to the store when the cache fails, still one read for concurrent misses", async () => {
    const store = countingStore([apple]);
    const catalog = new CachedCatalog(store, fakeCache({ fail: true }), { ttlMs: 30_000 });
    expect(await Promise.all(Array.from({ length: 20 }, () => catalog.find("apple")))).toEqual(Array(20).fill(apple));
    expect(store.findMany).toHaveBeenCalledTimes(1);
    await expect(catalog.changed(["apple"])).resolves.toBeUndefined();
    expect(catalog.stats().cacheErrors).toBe(21);
  });

  it("answers every product of a batch loaded while the cache was down and a write landed meanwhile", async () => {
    // Right after a restart the cache is not reachable yet, so loads are keyed by this process's
    // write count; a write during the load moved that count and the answers were looked up under
    // another key, leaving holes (undefined) that BatchGetProducts then tripped over.
    let open!: () => void;
    const store = countingStore([apple, pear], new Promise<void>((resolve) => (open = resolve)));
    const catalog = new CachedCatalog(store, fakeCache({ fail: true }), { ttlMs: 30_000 });
    const read = catalog.findMany(["apple", "pear", "kiwi"]);
    await settle();
    await catalog.changed(["apple"]);
    open();
    expect(await read).toEqual([apple, pear]);
    expect(await catalog.find("pear")).toEqual(pear);
  });

  it("reads around the cache for one TTL after an invalidation failed", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const cache = fakeCache();
    const catalog = new CachedCatalog(countingStore([apple]), cache, { ttlMs: 30_000 });
    cache.invalidate.mockRejectedValueOnce(new Error("redis down"));
    await catalog.changed(["apple"]);
    await catalog.find("apple");
    expect(cache.read).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30_001);
    await catalog.find("apple");
    expect(cache.read).toHaveBeenCalledTimes(1);
  });
});
