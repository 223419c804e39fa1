import { describe, expect, it, vi } from "vitest";
import { SingleFlight } from "./single-flight";

/** A promise with its resolve and reject, to hold a load open while others join it. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One key through `many`, the way a single-value read uses it. */
async function one<V>(flight: SingleFlight<V>, key: string, load: () => Promise<V>): Promise<V | undefined> {
  return (await flight.many([key], async () => new Map([[key, await load()]]))).get(key);
}

describe("SingleFlight", () => {
  it("runs one load for 20 concurrent asks of one key", async () => {
    const flight = new SingleFlight<number>();
    const gate = deferred<number>();
    const load = vi.fn(() => gate.promise);
    const asks = Array.from({ length: 20 }, () => one(flight, "k", load));
    gate.resolve(7);
    expect(await Promise.all(asks)).toEqual(Array(20).fill(7));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("starts a new load once the previous one settled", async () => {
    const flight = new SingleFlight<number>();
    let n = 0;
    expect(await one(flight, "k", async () => ++n)).toBe(1);
    expect(await one(flight, "k", async () => ++n)).toBe(2);
  });

  it("shares a failure with everyone who joined, then forgets it", async () => {
    const flight = new SingleFlight<number>();
    const gate = deferred<number>();
    const asks = [one(flight, "k", () => gate.promise), one(flight, "k", () => gate.promise)];
    gate.reject(new Error("db down"));
    for (const ask of asks) await expect(ask).rejects.toThrow("db down");
    expect(await one(flight, "k", async () => 1)).toBe(1);
  });

  it("loads only the keys not already in flight, in one batch", async () => {
    const flight = new SingleFlight<string>();
    const gate = deferred<string>();
    const first = one(flight, "a", () => gate.promise);
    const load = vi.fn(async (keys: readonly string[]) => new Map(keys.map((k) => [k, k.toUpperCase()])));
    const both = flight.many(["a", "b", "c", "b"], load);
    gate.resolve("A!");
    expect(await both).toEqual(
      new Map([
        ["a", "A!"],
        ["b", "B"],
        ["c", "C"],
      ]),
    );
    expect(await first).toBe("A!");
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith(["b", "c"], expect.any(Function));
  });

  it("fails the keys a batch load left unanswered", async () => {
    const flight = new SingleFlight<number>();
    await expect(flight.many(["a", "b"], async () => new Map([["a", 1]]))).rejects.toThrow("load did not answer b");
  });

  it("keeps a settled value joinable until what the loader kept it for settles, then forgets it", async () => {
    const flight = new SingleFlight<number>();
    const stored = deferred<void>();
    const load = vi.fn(async (keys: readonly string[], keepUntil: (p: Promise<unknown>) => void) => {
      keepUntil(stored.promise);
      return new Map(keys.map((k) => [k, 1]));
    });
    expect(await flight.many(["a"], load)).toEqual(new Map([["a", 1]]));
    expect(await flight.many(["a"], load)).toEqual(new Map([["a", 1]]));
    expect(load).toHaveBeenCalledTimes(1);
    stored.resolve();
    await new Promise((r) => setTimeout(r, 0));
    await flight.many(["a"], load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
