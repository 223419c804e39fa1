/** Where a cached value lives, and the scope whose invalidation makes it unreadable. */
export interface CacheSlot {
  readonly key: string;
  readonly scope: string;
}

export interface CacheLookup {
  /** The value stored under the scope's current generation; undefined on a miss. */
  readonly value: string | undefined;
  /** The scope's generation as this read saw it: store what you load under it. */
  readonly generation: string;
}

export interface CacheEntry extends CacheSlot {
  readonly generation: string;
  readonly value: string;
}

/**
 * The catalog's cache: text values with a TTL, each read only while its scope is still at the
 * generation the value was stored under. Invalidating a scope moves it to a new generation, so a
 * value loaded before a write but stored after its invalidation is never answered: the race of
 * cache-aside is closed at read time rather than by a compare-and-set. Implemented on Redis and in
 * process; both pass one contract suite. Any method may fail when the cache is unreachable.
 */
export interface CatalogCache {
  /** Reads the slots in one round trip, answering in the order asked. */
  read(slots: readonly CacheSlot[]): Promise<CacheLookup[]>;
  /** Stores values, each under the generation its `read` answered; one round trip. */
  store(entries: readonly CacheEntry[]): Promise<void>;
  /** Moves every scope to a new generation; one round trip. */
  invalidate(scopes: readonly string[]): Promise<void>;
}
