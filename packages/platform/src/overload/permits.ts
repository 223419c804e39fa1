import { overloaded } from "../errors";

interface Waiter {
  readonly grant: () => void;
  readonly timer: NodeJS.Timeout | undefined;
}

/**
 * A counting semaphore whose queue is bounded twice: at most `maxWaiting` callers wait (the next one
 * is refused at once), and none waits past its deadline. Refusals are `OVERLOADED` (unavailable):
 * the resource is busy, not broken. Waiters are served first come, first served.
 */
export class Permits {
  private readonly waiters = new Set<Waiter>();

  constructor(
    private available: number,
    readonly maxWaiting: number,
    private readonly what: string,
  ) {}

  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Resolves once a permit is held (give it back with `release`); rejects when the queue is full or
   * at `deadline` (ms since the epoch). `bounded: false` queues even past `maxWaiting` (shutting down).
   */
  acquire(deadline = Number.POSITIVE_INFINITY, bounded = true): Promise<void> {
    if (this.available > 0 && this.waiters.size === 0) {
      this.available--;
      return Promise.resolve();
    }
    if (bounded && this.waiters.size >= this.maxWaiting)
      return Promise.reject(overloaded(`${this.what} is busy: ${this.waiters.size} already waiting`));
    const waitMs = deadline - Date.now();
    if (waitMs <= 0) return Promise.reject(overloaded(`${this.what} is busy and the deadline has passed`));
    return new Promise<void>((resolve, reject) => {
      const timer = Number.isFinite(waitMs)
        ? setTimeout(() => {
            this.waiters.delete(waiter);
            reject(overloaded(`${this.what} is busy: no turn within ${Math.round(waitMs)} ms`));
          }, waitMs)
        : undefined;
      const waiter: Waiter = {
        timer,
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.add(waiter);
    });
  }

  release(): void {
    const next = this.waiters.values().next();
    if (next.done) {
      this.available++;
      return;
    }
    this.waiters.delete(next.value);
    next.value.grant();
  }
}
