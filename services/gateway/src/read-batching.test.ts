import { setImmediate as nextRound } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { batchedRead } from "./read-batching";

interface Stock {
  readonly sku: string;
  readonly stock: number;
}

/** A batch call that answers when told to, recording the keys of each call. */
function controlledBatch() {
  const calls: { keys: readonly string[]; resolve: (found: Stock[]) => void; reject: (e: unknown) => void }[] = [];
  const read = batchedRead<string, Stock>({
    maxBatch: 3,
    load: (keys) =>
      new Promise((resolve, reject) =>
        calls.push({ keys, resolve: (found) => resolve(new Map(found.map((s) => [s.sku, s]))), reject }),
      ),
    missing: (sku) => new Error(`no product ${sku}`),
  });
  return { read, calls };
}

describe("batchedRead", () => {
  it("makes one call for the reads of one round, and gives each read its own answer", async () => {
    const { read, calls } = controlledBatch();
    const reads = [read("tea"), read("jam"), read("tea")];
    expect(calls).toHaveLength(0);
    await nextRound();
    expect(calls.map((c) => c.keys)).toEqual([["tea", "jam", "tea"]]);
    calls[0]?.resolve([
      { sku: "jam", stock: 2 },
      { sku: "tea", stock: 7 },
    ]);
    expect(await Promise.all(reads)).toEqual([
      { sku: "tea", stock: 7 },
      { sku: "jam", stock: 2 },
      { sku: "tea", stock: 7 },
    ]);
  });

  it("answers a key the call left out with the missing error, and the others with their values", async () => {
    const { read, calls } = controlledBatch();
    const [tea, gone] = [read("tea"), read("gone")];
    await nextRound();
    calls[0]?.resolve([{ sku: "tea", stock: 7 }]);
    expect(await tea).toEqual({ sku: "tea", stock: 7 });
    await expect(gone).rejects.toThrow("no product gone");
  });

  it("gives every read of a failed call that call's error", async () => {
    const { read, calls } = controlledBatch();
    const reads = [read("tea"), read("jam")];
    await nextRound();
    calls[0]?.reject(new Error("inventory unavailable"));
    for (const r of reads) await expect(r).rejects.toThrow("inventory unavailable");
  });

  it("never lets a read join a call already sent: it waits for a call of its own", async () => {
    const { read, calls } = controlledBatch();
    const before = read("tea");
    await nextRound();
    const after = read("tea");
    await nextRound();
    expect(calls.map((c) => c.keys)).toEqual([["tea"], ["tea"]]);
    calls[1]?.resolve([{ sku: "tea", stock: 6 }]);
    calls[0]?.resolve([{ sku: "tea", stock: 7 }]);
    expect(await before).toEqual({ sku: "tea", stock: 7 });
    expect(await after).toEqual({ sku: "tea", stock: 6 });
  });

  it("keeps nothing once a call answered: the next read calls again", async () => {
    const { read, calls } = controlledBatch();
    const first = read("tea");
    await nextRound();
    calls[0]?.resolve([{ sku: "tea", stock: 7 }]);
    await first;
    const second = read("tea");
    await nextRound();
    calls[1]?.resolve([{ sku: "tea", stock: 5 }]);
    expect(await second).toEqual({ sku: "tea", stock: 5 });
    expect(calls).toHaveLength(2);
  });

  it("splits a round's reads into calls of at most the batch limit", async () => {
    const { read, calls } = controlledBatch();
    const skus = ["a", "b", "c", "d", "e"];
    const reads = skus.map((sku) => read(sku));
    await nextRound();
    expect(calls.map((c) => c.keys)).toEqual([
      ["a", "b", "c"],
      ["d", "e"],
    ]);
    for (const call of calls) call.resolve(call.keys.map((sku) => ({ sku, stock: 1 })));
    expect((await Promise.all(reads)).map((s) => s.sku)).toEqual(skus);
  });
});
