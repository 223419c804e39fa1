import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The deadline of the request a piece of work is done for, carried through its async calls (as gRPC
 * deadlines travel between processes): a gRPC handler runs under its call's deadline, outgoing calls
 * end no later than it (and so send it on), and waiting for a database connection stops at it. Work
 * that must finish whatever its caller does (a saga once its order is written) runs `withoutDeadline`.
 */
const store = new AsyncLocalStorage<{ readonly deadline: number }>();

/** Runs `fn` under `deadline` (ms since the epoch), or under the current one when that is earlier. */
export function withDeadline<T>(deadline: number, fn: () => T): T {
  return store.run({ deadline: Math.min(deadline, currentDeadline()) }, fn);
}

/** Runs `fn` with no deadline: work that must finish (or compensate) even when its caller gave up. */
export function withoutDeadline<T>(fn: () => T): T {
  return store.exit(fn);
}

/** The deadline of the work in progress, ms since the epoch; Infinity when it has none. */
export const currentDeadline = (): number => store.getStore()?.deadline ?? Infinity;

/** Milliseconds left before the current deadline (negative once passed; Infinity without one). */
export const remainingMs = (now: number = Date.now()): number => currentDeadline() - now;
