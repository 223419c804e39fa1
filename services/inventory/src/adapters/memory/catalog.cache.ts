import type { CacheEntry, CacheLookup, CacheSlot, CatalogCache } from "../../app/catalog-cache.port";

interface Stored {
  readonly value: string;
  readonly generation: string;
  readonly expiresAt: number;
}

export interface MemoryCatalogCacheOptions {
  readonly ttlMs: number;
  /** Most entries kept; the least recently used go first. */
  readonly maxEntries: number;
}

/**
 * The catalog cache in process memory, for running without Redis: a Map in least-recently-used
 * order with a TTL per entry and a size bound. Generations are counters per scope; there is one
 * scope per product ever written plus one for the list pages, so they stay as few as the catalog.
 */
export class MemoryCatalogCache implements CatalogCache {
  private readonly entries = new Map<string, Stored>();
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly options: MemoryCatalogCacheOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async read(slots: readonly CacheSlot[]): Promise<CacheLookup[]> {
    return slots.map((slot) => {
      const generation = String(this.generations.get(slot.scope) ?? 0);
      const stored = this.entries.get(slot.key);
      if (stored === undefined || stored.generation !== generation) return { value: undefined, generation };
      this.entries.delete(slot.key);
      if (stored.expiresAt <= this.now()) return { value: undefined, generation };
      this.entries.set(slot.key, stored); // now the most recently used
      return { value: stored.value, generation };
    });
  }

  async store(entries: readonly CacheEntry[]): Promise<void> {
    const expiresAt = this.now() + this.options.ttlMs;
    for (const e of entries) {
      this.entries.delete(e.key);
      this.entries.set(e.key, { value: e.value, generation: e.generation, expiresAt });
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(key);
    }
  }

  async invalidate(scopes: readonly string[]): Promise<void> {
    for (const scope of scopes) this.generations.set(scope, (this.generations.get(scope) ?? 0) + 1);
  }
}
