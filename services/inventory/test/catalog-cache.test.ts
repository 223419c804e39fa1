import { describe, expect, it } from "vitest";
import { failureOf, inventoryForSuite, product, stockOf } from "./inventory-harness";
import { TEST_REDIS_URL } from "@qc/platform/testing";

describe.each([
  ["redis", TEST_REDIS_URL],
  ["memory", ""],
])("catalog reads through the %s cache see every write", (mode, redisUrl) => {
  const inventory = inventoryForSuite({ REDIS_URL: redisUrl });

  const create = (sku: string, stock: number) => inventory.call.createProduct({ product: product(sku, stock) });

  it(`caches in ${mode}, and answers a repeated read from the cache`, async () => {
    expect(inventory.app.cacheMode).toBe(mode);
    await create("c-hit", 4);
    await stockOf(inventory, "c-hit");
    const before = inventory.app.catalog.stats();
    expect(await stockOf(inventory, "c-hit")).toBe(4);
    const after = inventory.app.catalog.stats();
    expect(after.hits - before.hits).toBe(1);
    expect(after.loads).toBe(before.loads);
  });

  it("shows a restock on the next read", async () => {
    await create("c-restock", 5);
    expect(await stockOf(inventory, "c-restock")).toBe(5);
    await inventory.call.restock({ sku: "c-restock", quantity: 3 });
    expect(await stockOf(inventory, "c-restock")).toBe(8);
  });

  it("shows a deduction and its compensation on the next read, batch and list alike", async () => {
    await create("c-deduct", 5);
    const listed = async () =>
      (await inventory.call.listProducts({ pageSize: 100, pageToken: "" })).products.find((p) => p.sku === "c-deduct")
        ?.stock;
    const batched = async () => (await inventory.call.batchGetProducts({ skus: ["c-deduct"] })).products[0]?.stock;
    expect([await stockOf(inventory, "c-deduct"), await batched(), await listed()]).toEqual([5, 5, 5]);
    await inventory.call.deductStock({ orderId: "c-order-1", items: [{ sku: "c-deduct", quantity: 2 }] });
    expect([await stockOf(inventory, "c-deduct"), await batched(), await listed()]).toEqual([3, 3, 3]);
    await inventory.call.addStock({ orderId: "c-order-1" });
    expect([await stockOf(inventory, "c-deduct"), await batched(), await listed()]).toEqual([5, 5, 5]);
  });

  it("finds a product created after a read found nothing", async () => {
    expect(await failureOf(inventory.call.getProduct({ sku: "c-late" }))).toMatchObject({ code: "PRODUCT_NOT_FOUND" });
    expect((await inventory.call.batchGetProducts({ skus: ["c-late"] })).products).toEqual([]);
    await create("c-late", 1);
    expect(await stockOf(inventory, "c-late")).toBe(1);
    expect((await inventory.call.batchGetProducts({ skus: ["c-late"] })).products).toHaveLength(1);
  });

  it("shows every concurrent deduction once they have all answered", async () => {
    await create("c-hot", 30);
    await stockOf(inventory, "c-hot");
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inventory.call.deductStock({ orderId: `c-hot-${i}`, items: [{ sku: "c-hot", quantity: 1 }] }),
      ),
    );
    expect(await stockOf(inventory, "c-hot")).toBe(10);
  });
});

describe("catalog with Redis unreachable", () => {
  // Port 1 on loopback refuses connections: Redis is down for the whole test.
  const inventory = inventoryForSuite({ REDIS_URL: "redis://127.0.0.1:1" });

  it("serves every read and write from Postgres", async () => {
    await inventory.call.createProduct({ product: product("down-1", 5) });
    expect(await stockOf(inventory, "down-1")).toBe(5);
    await inventory.call.deductStock({ orderId: "down-order", items: [{ sku: "down-1", quantity: 2 }] });
    expect(await stockOf(inventory, "down-1")).toBe(3);
    expect((await inventory.call.listProducts({ pageSize: 10, pageToken: "" })).products.map((p) => p.sku)).toEqual([
      "down-1",
    ]);
    expect(inventory.app.catalog.stats()).toMatchObject({ hits: 0 });
    expect(inventory.app.catalog.stats().cacheErrors).toBeGreaterThan(0);
  });
});
