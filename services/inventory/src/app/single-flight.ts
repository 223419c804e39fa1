/**
 * Collapses concurrent loads of one key into one: while a load for a key is in flight, asking for
 * the key again joins it instead of starting another. Once a load settles its value is forgotten
 * (that is the cache's job), unless the loader asked to keep it joinable until the value is where
 * the next caller will look for it (see `many`). Keys should say *which version* they load, so that
 * a caller who must see a newer write never joins a load that began before it.
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();

  /**
   * The values of `keys`. Keys already in flight are joined; the rest are loaded together by one
   * call of `load`, which must answer every key it was given. `load` may pass `keepUntil` a promise
   * (e.g. storing what it loaded in a cache): its values stay joinable until that settles, so a
   * caller whose cache miss was answered just after the load finished, but before the store
   * landed, does not load again.
   */
  async many(
    keys: readonly string[],
    load: (keys: readonly string[], keepUntil: (stored: Promise<unknown>) => void) => Promise<ReadonlyMap<string, V>>,
  ): Promise<Map<string, V>> {
    const distinct = [...new Set(keys)];
    const fresh = distinct.filter((k) => !this.inFlight.has(k));
    if (fresh.length > 0) {
      let kept: Promise<unknown> = Promise.resolve();
      const batch = load(fresh, (stored) => {
        kept = stored.catch(() => undefined);
      });
      for (const key of fresh) {
        const value = batch.then((loaded) =>
          loaded.has(key) ? (loaded.get(key) as V) : Promise.reject(new Error(`load did not answer ${key}`)),
        );
        this.inFlight.set(key, value);
        const forget = () => {
          if (this.inFlight.get(key) === value) this.inFlight.delete(key);
        };
        // A failure is forgotten at once (never cached); a value once it is kept no longer.
        value.then(() => kept.then(forget), forget);
      }
    }
    const values = await Promise.all(distinct.map((k) => this.inFlight.get(k) as Promise<V>));
    return new Map(distinct.map((k, i) => [k, values[i] as V]));
  }
}
