import { describe, expect, it } from "vitest";
import { MemoryCatalogCache } from "./catalog.cache";

const slot = (key: string) => ({ key, scope: key });
const entry = (key: string) => ({ ...slot(key), generation: "0", value: key });

describe("MemoryCatalogCache", () => {
  it("keeps at most maxEntries, dropping the least recently used", async () => {
    const cache = new MemoryCatalogCache({ ttlMs: 60_000, maxEntries: 2 });
    await cache.store([entry("a"), entry("b")]);
    await cache.read([slot("a")]);
    await cache.store([entry("c")]);
    expect((await cache.read([slot("a"), slot("b"), slot("c")])).map((l) => l.value)).toEqual(["a", undefined, "c"]);
  });

  it("expires by its clock", async () => {
    let now = 0;
    const cache = new MemoryCatalogCache({ ttlMs: 100, maxEntries: 10 }, () => now);
    await cache.store([entry("a")]);
    now = 99;
    expect((await cache.read([slot("a")]))[0]?.value).toBe("a");
    now = 200;
    expect((await cache.read([slot("a")]))[0]?.value).toBeUndefined();
  });
});
