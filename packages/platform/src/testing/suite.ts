import { afterAll, beforeAll } from "vitest";

/**
 * Something a suite starts once for its tests: `start` runs in the enclosing `describe`'s
 * `beforeAll`, `close` in its `afterAll`. The value handed back stands in for what `start` resolves
 * to; read it inside a test (before `beforeAll` has run there is nothing to read).
 */
export function forSuite<T extends { close(): Promise<void> }>(start: () => Promise<T>): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy(Object.create(null) as T, {
    get(_target, key) {
      if (started === undefined) throw new Error(`read ${String(key)} inside a test: the suite starts it in beforeAll`);
      const value: unknown = Reflect.get(started, key);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(started) : value;
    },
  });
}
