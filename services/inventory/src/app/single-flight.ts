/**
 * Collapses concurrent loads of one key into one: while a load for a key is in flight, asking for
 * the key again joins it instead of starting another. Nothing is remembered once a load settles
 * (that is the cache's job). Keys should say *which version* they load, so that a caller who must
 * see a newer write never joins a load that began before it.
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();

  /**
   * The values of `keys`. Keys already in flight are joined; the rest are loaded together by one
   * call of `load`, which must answer every key it was given.
   */
  async many(keys: readonly string[], load: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>): Promise<Map<string, V>> {
    const distinct = [...new Set(keys)];
    const fresh = distinct.filter((k) => !this.inFlight.has(k));
    if (fresh.length > 0) {
      const batch = load(fresh);
      for (const key of fresh) {
        const value = batch.then((loaded) => (loaded.has(key) ? (loaded.get(key) as V) : Promise.reject(new Error(`load did not answer ${key}`))));
        this.inFlight.set(key, value);
        // Forget the flight once it settles, whatever the outcome; a failure is not cached either.
        value.then(
          () => this.inFlight.delete(key),
          () => this.inFlight.delete(key),
        );
      }
    }
    const values = await Promise.all(distinct.map((k) => this.inFlight.get(k) as Promise<V>));
    return new Map(distinct.map((k, i) => [k, values[i] as V]));
  }
}
