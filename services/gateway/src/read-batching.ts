import DataLoader from "dataloader";

export interface BatchedReadOptions<K, V> {
  /** Most keys one batch call may carry (the upstream refuses more). */
  readonly maxBatch: number;
  /** One upstream call for many keys: what it found, by key; a key it left out does not exist. */
  readonly load: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;
  /** The error a single read of a key that does not exist answers with. */
  readonly missing: (key: K) => Error;
}

/**
 * Reads of single things that arrive together go upstream as one batch call: every read started
 * while the event loop works through one round of I/O (under load, dozens of HTTP requests) waits
 * for the end of that round, then one call asks for all of their keys, and each read gets its own
 * answer or the call's error. A gRPC call costs the gateway and the upstream far more than one more
 * key in a call (an HTTP/2 stream, its headers, a deadline, a breaker decision, a cache round trip),
 * so under load the per-read cost falls to a fraction; alone, a read waits only for the end of the
 * round it started in.
 *
 * Nothing is kept, and a read never joins a call already sent: every answer comes from a call that
 * began after the read did, so a read that starts after a write answered (an order placed, a
 * restock) sees that write.
 */
export function batchedRead<K, V>(options: BatchedReadOptions<K, V>): (key: K) => Promise<V> {
  const loader = new DataLoader<K, V>(
    async (keys) => {
      const found = await options.load(keys);
      return keys.map((key) => found.get(key) ?? options.missing(key));
    },
    {
      cache: false,
      maxBatchSize: options.maxBatch,
      // After the I/O round, not after the current tick: each HTTP request arrives in a callback of
      // its own, so the default (the end of the tick) would batch nothing.
      batchScheduleFn: (dispatch) => setImmediate(dispatch),
    },
  );
  return (key) => loader.load(key);
}
