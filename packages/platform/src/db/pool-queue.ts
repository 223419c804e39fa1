/**
 * How long, and how many, queries may wait for a database connection (or the embedded session).
 * Its own module, free of any driver: configuration reads the defaults in every service.
 */
export interface PoolQueue {
  /** At most this many wait; the next is refused at once (OVERLOADED). */
  readonly maxWaiting: number;
  /** Longest wait (a request's own deadline may end it sooner); then OVERLOADED. */
  readonly acquireTimeoutMs: number;
}

export const defaultPoolQueue: PoolQueue = { maxWaiting: 1_000, acquireTimeoutMs: 5_000 };
