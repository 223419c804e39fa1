import type { Product } from "../domain/product";
import type { CacheEntry, CacheSlot, CatalogCache } from "./catalog-cache.port";
import type { Catalog } from "./catalog.port";
import type { ProductStore } from "./product-store.port";
import { SingleFlight } from "./single-flight";

/** Counters of the catalog cache, for tests now and metrics later. */
export interface CatalogCacheStats {
  /** Values answered from the cache. */
  readonly hits: number;
  /** Values the cache did not have (or could not be asked for). */
  readonly misses: number;
  /** Reads this catalog made from the product store. */
  readonly loads: number;
  /** Cache operations that failed (including those refused at once by an open circuit breaker). */
  readonly cacheErrors: number;
}

// Cached values are JSON; the version in every key retires old entries when their shape changes.
const productSlot = (sku: string): CacheSlot => ({ key: `v1:product:${sku}`, scope: `product:${sku}` });
// Every write bumps this one scope: a page shows stock, and a new product can land on any page.
const LIST_SCOPE = "list";
const pageSlot = (page: { afterSku: string | undefined; limit: number }): CacheSlot => ({
  key: `v1:list:${page.afterSku ?? ""}:${page.limit}`,
  scope: LIST_SCOPE,
});

interface Miss<R> {
  readonly request: R;
  readonly slot: CacheSlot;
  /** Undefined when the cache could not be read. */
  readonly generation: string | undefined;
}

/**
 * Cache-aside reads of the catalog with single-flight loads: concurrent misses of one value at one
 * generation make one store read. A cache that fails or is unreachable costs a fallback to the
 * store, never a failed read.
 */
export class CachedCatalog implements Catalog {
  private readonly productFlights = new SingleFlight<Product | null>();
  private readonly pageFlights = new SingleFlight<Product[]>();
  private readonly counts = { hits: 0, misses: 0, loads: 0, cacheErrors: 0 };
  /** Writes made by this process; keys the loads made while the cache cannot tell generations. */
  private writes = 0;
  /** While in the future, this process leaves the cache alone (see `changed`). */
  private bypassUntil = 0;

  constructor(
    private readonly store: ProductStore,
    private readonly cache: CatalogCache,
    private readonly options: { readonly ttlMs: number },
  ) {}

  stats(): CatalogCacheStats {
    return { ...this.counts };
  }

  async find(sku: string): Promise<Product | undefined> {
    const [product] = await this.products([sku]);
    return product ?? undefined;
  }

  async findMany(skus: readonly string[]): Promise<Product[]> {
    return (await this.products(skus)).filter((p): p is Product => p != null);
  }

  async listAfter(afterSku: string | undefined, limit: number): Promise<Product[]> {
    const [rows] = await this.readThrough([{ afterSku, limit }], pageSlot, this.pageFlights, async ([page]) => [
      await this.store.listAfter(page?.afterSku, limit),
    ]);
    return rows ?? [];
  }

  /**
   * Invalidates after the write committed, and waits for it: one pipelined round trip, so a read
   * anywhere that starts after the write answered sees the write. If the invalidation fails, the
   * write stands (it committed) and this process reads around the cache for one TTL, after which
   * every entry that could predate the write has expired; other replicas may serve the old value
   * for at most that TTL.
   */
  async changed(skus: readonly string[]): Promise<void> {
    this.writes += 1;
    try {
      await this.cache.invalidate([...skus.map((sku) => productSlot(sku).scope), LIST_SCOPE]);
    } catch {
      this.counts.cacheErrors += 1;
      this.bypassUntil = Date.now() + this.options.ttlMs;
    }
  }

  /** Each sku's product, or null for a sku with no product (cached too: absence is a fact as well). */
  private products(skus: readonly string[]): Promise<(Product | null)[]> {
    return this.readThrough(skus, productSlot, this.productFlights, async (missing) => {
      const found = new Map((await this.store.findMany(missing)).map((p) => [p.sku, p]));
      return missing.map((sku) => found.get(sku) ?? null);
    });
  }

  /**
   * The value of each request: from the cache when it has it, otherwise loaded (all misses in one
   * `load` call, joined with equal loads in flight) and stored for the next reader.
   */
  private async readThrough<R, V>(
    requests: readonly R[],
    slotOf: (request: R) => CacheSlot,
    flights: SingleFlight<V>,
    load: (missing: readonly R[]) => Promise<V[]>,
  ): Promise<V[]> {
    const slots = requests.map(slotOf);
    const lookups = await this.lookup(slots);
    const values = lookups.map((l) => (l.value === undefined ? undefined : (JSON.parse(l.value) as V)));
    // Each request's flight key, taken once: without a generation it depends on this process's write
    // count, which a write made while the load is in flight moves on.
    const keys = slots.map((slot, i) => this.flightKey(slot, lookups[i]?.generation));
    const misses = new Map<string, Miss<R>>();
    requests.forEach((request, i) => {
      const slot = slots[i] as CacheSlot;
      const generation = lookups[i]?.generation;
      if (values[i] === undefined) misses.set(keys[i] as string, { request, slot, generation });
    });
    this.counts.hits += requests.length - misses.size;
    this.counts.misses += misses.size;
    if (misses.size === 0) return values as V[];
    const loaded = await flights.many([...misses.keys()], async (keys, keepUntil) => {
      const batch = keys.map((k) => misses.get(k) as Miss<R>);
      this.counts.loads += 1;
      const fresh = await load(batch.map((m) => m.request));
      keepUntil(this.remember(batch, fresh));
      return new Map(keys.map((k, i) => [k, fresh[i] as V]));
    });
    // A cached value may itself be null (a known absence), so only undefined means "was missed".
    return requests.map((_, i) => (values[i] !== undefined ? values[i] : (loaded.get(keys[i] as string) as V)));
  }

  private async lookup(slots: readonly CacheSlot[]): Promise<{ value?: string; generation?: string }[]> {
    if (Date.now() < this.bypassUntil) return slots.map(() => ({}));
    try {
      return await this.cache.read(slots);
    } catch {
      this.counts.cacheErrors += 1;
      return slots.map(() => ({}));
    }
  }

  /**
   * Stores what was loaded, without making the reader wait (the promise settles when the store has,
   * never failing); a lost store only costs a later miss.
   */
  private async remember<R, V>(batch: readonly Miss<R>[], values: readonly V[]): Promise<void> {
    const entries = batch.flatMap((m, i): CacheEntry[] =>
      m.generation === undefined ? [] : [{ ...m.slot, generation: m.generation, value: JSON.stringify(values[i]) }],
    );
    if (entries.length === 0) return;
    await this.cache.store(entries).catch(() => {
      this.counts.cacheErrors += 1;
    });
  }

  /**
   * Loads are shared only between readers who saw the same generation, so a reader who must see a
   * write never joins a load that started before it. Without a generation (cache unreachable) this
   * process's own write count stands in for it.
   */
  private flightKey(slot: CacheSlot, generation: string | undefined): string {
    return `${slot.key}@${generation ?? `local:${this.writes}`}`;
  }
}
