import { describe, expect, it } from "vitest";
import { ReadSharing } from "./read-sharing";

/** A call that answers when told to, counting the calls made. */
function controlled<T>() {
  const pending: { request: unknown; resolve: (v: T) => void; reject: (e: unknown) => void }[] = [];
  const fn = (request: unknown) => new Promise<T>((resolve, reject) => pending.push({ request, resolve, reject }));
  return { fn, pending };
}

function catalog() {
  const get = controlled<{ sku: string; stock: number }>();
  const write = controlled<{ ok: true }>();
  const calls = {
    getProduct: (req: { sku: string }, options?: { onServerTiming?: (ms: number) => void }) => (
      void options,
      get.fn(req)
    ),
    restock: (req: { sku: string }) => write.fn(req),
  };
  return { calls, get, write };
}

describe("ReadSharing", () => {
  it("makes one call for concurrent reads of one key, and gives every caller its answer", async () => {
    const { calls, get } = catalog();
    const shared = new ReadSharing().share(calls, { getProduct: (r) => r.sku });
    const reads = [
      shared.getProduct({ sku: "tea" }),
      shared.getProduct({ sku: "tea" }),
      shared.getProduct({ sku: "tea" }),
    ];
    expect(get.pending).toHaveLength(1);
    get.pending[0]?.resolve({ sku: "tea", stock: 7 });
    expect(await Promise.all(reads)).toEqual([1, 2, 3].map(() => ({ sku: "tea", stock: 7 })));
  });

  it("makes a call per key", async () => {
    const { calls, get } = catalog();
    const shared = new ReadSharing().share(calls, { getProduct: (r) => r.sku });
    const reads = [shared.getProduct({ sku: "tea" }), shared.getProduct({ sku: "jam" })];
    expect(get.pending.map((p) => p.request)).toEqual([{ sku: "tea" }, { sku: "jam" }]);
    get.pending.forEach((p, i) => p.resolve({ sku: String(i), stock: i }));
    expect(await Promise.all(reads)).toEqual([
      { sku: "0", stock: 0 },
      { sku: "1", stock: 1 },
    ]);
  });

  it("keeps nothing once the call settled: the next read calls again", async () => {
    const { calls, get } = catalog();
    const shared = new ReadSharing().share(calls, { getProduct: (r) => r.sku });
    const first = shared.getProduct({ sku: "tea" });
    get.pending[0]?.resolve({ sku: "tea", stock: 7 });
    await first;
    const second = shared.getProduct({ sku: "tea" });
    expect(get.pending).toHaveLength(2);
    get.pending[1]?.resolve({ sku: "tea", stock: 6 });
    expect(await second).toEqual({ sku: "tea", stock: 6 });
  });

  it("gives every joined caller the error, then forgets it", async () => {
    const { calls, get } = catalog();
    const shared = new ReadSharing().share(calls, { getProduct: (r) => r.sku });
    const reads = [shared.getProduct({ sku: "tea" }), shared.getProduct({ sku: "tea" })];
    get.pending[0]?.reject(new Error("unavailable"));
    for (const read of reads) await expect(read).rejects.toThrow("unavailable");
    void shared.getProduct({ sku: "tea" });
    expect(get.pending).toHaveLength(2);
  });

  it("never lets a read that starts after a write answered join a call that began before it", async () => {
    const { calls, get, write } = catalog();
    const shared = new ReadSharing().share(calls, { getProduct: (r) => r.sku });
    const before = shared.getProduct({ sku: "tea" });
    const restock = shared.restock({ sku: "tea" });
    write.pending[0]?.resolve({ ok: true });
    await restock;
    const after = shared.getProduct({ sku: "tea" });
    expect(get.pending).toHaveLength(2);
    get.pending[0]?.resolve({ sku: "tea", stock: 1 });
    get.pending[1]?.resolve({ sku: "tea", stock: 11 });
    expect(await before).toEqual({ sku: "tea", stock: 1 });
    expect(await after).toEqual({ sku: "tea", stock: 11 });
  });

  it("ends the sharing on a failed write too, since it may have been applied", async () => {
    const { calls, get, write } = catalog();
    const shared = new ReadSharing().share(calls, { getProduct: (r) => r.sku });
    void shared.getProduct({ sku: "tea" });
    const restock = shared.restock({ sku: "tea" });
    write.pending[0]?.reject(new Error("deadline exceeded"));
    await expect(restock).rejects.toThrow("deadline exceeded");
    void shared.getProduct({ sku: "tea" });
    expect(get.pending).toHaveLength(2);
  });

  it("ends the sharing at each message of a stream (an order's events), and passes the messages on", async () => {
    const get = controlled<{ id: string; status: string }>();
    async function* events() {
      yield { status: "CONFIRMED" };
    }
    const shared = new ReadSharing().share(
      { getOrder: (req: { id: string }) => get.fn(req), watchOrder: (req: { id: string }) => (void req, events()) },
      { getOrder: (r) => r.id },
    );
    void shared.getOrder({ id: "o-1" });
    const seen: unknown[] = [];
    for await (const event of shared.watchOrder({ id: "o-1" })) {
      seen.push(event);
      void shared.getOrder({ id: "o-1" });
    }
    expect(seen).toEqual([{ status: "CONFIRMED" }]);
    expect(get.pending).toHaveLength(2);
  });

  it("makes its own call for a caller that passes call options", () => {
    const { calls, get } = catalog();
    const shared = new ReadSharing().share(calls, { getProduct: (r) => r.sku });
    void shared.getProduct({ sku: "tea" });
    void shared.getProduct({ sku: "tea" }, { onServerTiming: () => undefined });
    expect(get.pending).toHaveLength(2);
  });

  it("never shares between two gateways in one process", () => {
    const { calls, get } = catalog();
    const one = new ReadSharing().share(calls, { getProduct: (r) => r.sku });
    const two = new ReadSharing().share(calls, { getProduct: (r) => r.sku });
    void one.getProduct({ sku: "tea" });
    void two.getProduct({ sku: "tea" });
    expect(get.pending).toHaveLength(2);
  });
});
