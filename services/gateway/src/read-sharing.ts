import { coalesceAsync } from "promise-coalesce";

/** For each shared read of `C`, the key that says which thing it reads (equal keys: the same answer). */
export type SharedReads<C> = {
  readonly [K in keyof C]?: C[K] extends (request: infer R, ...rest: never[]) => Promise<unknown>
    ? (request: R) => string
    : never;
};

let instances = 0;

/**
 * Single flight for the gateway's upstream reads: a read that asks for what a call already in flight
 * is asking (same method, same key) joins that call instead of making another, and every caller gets
 * its answer (or its error). Nothing is kept once the call settles, so no answer is older than one
 * call; callers authorize what they received themselves, after the shared fetch.
 *
 * The gateway's own writes end the sharing: once any other call through these clients settles (or
 * a stream through them, an order's events, brings a message), later reads start calls of their own,
 * so a read that starts after a write answered (a restock, an order placed or delivered) or after an
 * event told of a change never joins a call that began before it.
 */
export class ReadSharing {
  /** promise-coalesce keeps one map per process: the prefix keeps two gateways in one process apart. */
  private readonly prefix = `gateway-${++instances}`;
  private epoch = 0;

  /** `calls` with the reads named in `shared` joined while in flight; every other call ends the sharing when it settles, a stream at each message. */
  share<C extends object>(calls: C, shared: SharedReads<C>): C {
    const wrapped: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(calls) as [string, (...args: unknown[]) => unknown][]) {
      const keyOf = (shared as Record<string, ((request: unknown) => string) | undefined>)[name];
      wrapped[name] = keyOf ? this.sharedRead(name, fn, keyOf) : this.endingSharing(fn);
    }
    return wrapped as C;
  }

  private sharedRead(name: string, fn: (...args: unknown[]) => unknown, keyOf: (request: unknown) => string) {
    // A caller passing call options (e.g. a Server-Timing listener) wants its own call.
    return (request: unknown, options?: unknown) =>
      options === undefined
        ? coalesceAsync(`${this.prefix}:${this.epoch}:${name}:${keyOf(request)}`, () => fn(request))
        : fn(request, options);
  }

  private endingSharing(fn: (...args: unknown[]) => unknown) {
    const ended = () => {
      this.epoch += 1;
    };
    return (...args: unknown[]) => {
      const result = fn(...args);
      if (result instanceof Promise) result.then(ended, ended);
      // A server stream (an order's events): each message may tell its reader of a change.
      else if (isAsyncIterable(result)) return endingEach(result, ended);
      return result;
    };
  }
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

async function* endingEach<T>(messages: AsyncIterable<T>, ended: () => void): AsyncIterable<T> {
  for await (const message of messages) {
    ended();
    yield message;
  }
}
