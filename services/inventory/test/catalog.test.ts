import { describe, expect, it } from "vitest";
import { databaseKinds } from "@qc/platform/testing";
import { failureOf, inventoryForSuite, product, stockOf } from "./inventory-harness";

// The same contract on a real Postgres server and on the embedded PGlite database.
describe.each(databaseKinds)("on %s", (kind) => {
  const inventory = inventoryForSuite({}, kind);

  describe("products over gRPC", () => {
    it("creates a product and reads it back", async () => {
      const created = await inventory.call.createProduct({ product: product("milk-1l", 12, 129) });
      expect(created.product).toEqual(product("milk-1l", 12, 129));
      expect((await inventory.call.getProduct({ sku: "milk-1l" })).product).toEqual(product("milk-1l", 12, 129));
    });

    it("refuses a second product with the same sku", async () => {
      await inventory.call.createProduct({ product: product("dup", 1) });
      expect(await failureOf(inventory.call.createProduct({ product: product("dup", 5) }))).toMatchObject({
        status: "ALREADY_EXISTS",
        code: "PRODUCT_EXISTS",
      });
      expect(await stockOf(inventory, "dup")).toBe(1);
    });

    it("answers an unknown sku with NOT_FOUND", async () => {
      expect(await failureOf(inventory.call.getProduct({ sku: "no-such-sku" }))).toMatchObject({
        status: "NOT_FOUND",
        code: "PRODUCT_NOT_FOUND",
      });
    });

    it("rejects invalid products with INVALID_ARGUMENT and stores nothing", async () => {
      const cases: [ReturnType<typeof product> | undefined, string][] = [
        [undefined, "PRODUCT_REQUIRED"],
        [product("", 1), "INVALID_SKU"],
        [{ ...product("bad-price", 1), priceCents: -5 }, "INVALID_PRICE"],
        [{ ...product("bad-currency", 1), currency: "eur" }, "INVALID_CURRENCY"],
        [{ ...product("bad-stock", 1), stock: -1 }, "INVALID_STOCK"],
        [{ ...product("bad-name", 1), name: "" }, "INVALID_NAME"],
      ];
      for (const [input, code] of cases) {
        expect(await failureOf(inventory.call.createProduct({ product: input }))).toMatchObject({
          status: "INVALID_ARGUMENT",
          code,
        });
      }
      const { products } = await inventory.call.batchGetProducts({
        skus: ["bad-price", "bad-currency", "bad-stock", "bad-name"],
      });
      expect(products).toEqual([]);
    });

    it("batch-gets in the order asked and leaves unknown skus out", async () => {
      await inventory.call.createProduct({ product: product("batch-a", 1) });
      await inventory.call.createProduct({ product: product("batch-b", 2) });
      const { products } = await inventory.call.batchGetProducts({ skus: ["batch-b", "unknown", "batch-a"] });
      expect(products.map((p) => p.sku)).toEqual(["batch-b", "batch-a"]);
    });

    it("restocks, and rejects a non-positive quantity without change", async () => {
      await inventory.call.createProduct({ product: product("restock-me", 3) });
      expect((await inventory.call.restock({ sku: "restock-me", quantity: 7 })).product?.stock).toBe(10);
      expect(await failureOf(inventory.call.restock({ sku: "restock-me", quantity: -2 }))).toMatchObject({
        status: "INVALID_ARGUMENT",
        code: "INVALID_QUANTITY",
      });
      expect(await failureOf(inventory.call.restock({ sku: "restock-me", quantity: 1_000_000_000 }))).toMatchObject({
        status: "INVALID_ARGUMENT",
        code: "STOCK_LIMIT",
      });
      expect(await failureOf(inventory.call.restock({ sku: "missing", quantity: 1 }))).toMatchObject({
        code: "PRODUCT_NOT_FOUND",
      });
      expect(await stockOf(inventory, "restock-me")).toBe(10);
    });
  });

  describe("ListProducts paging", () => {
    it("walks every product exactly once, in sku order", async () => {
      const skus = Array.from({ length: 45 }, (_, i) => `page-${String(i).padStart(2, "0")}`);
      await Promise.all(skus.map((sku) => inventory.call.createProduct({ product: product(sku, 1) })));
      const seen: string[] = [];
      let pageToken = "";
      let pages = 0;
      do {
        const page = await inventory.call.listProducts({ pageSize: 7, pageToken });
        expect(page.products.length).toBeLessThanOrEqual(7);
        seen.push(...page.products.map((p) => p.sku));
        pageToken = page.nextPageToken;
        pages += 1;
      } while (pageToken !== "" && pages < 100);
      const all = seen.filter((s) => s.startsWith("page-"));
      expect(all).toEqual(skus);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(seen);
    });

    it("uses 20 by default, caps the size at 100 and rejects a forged token", async () => {
      expect((await inventory.call.listProducts({ pageSize: 0, pageToken: "" })).products).toHaveLength(20);
      const big = await inventory.call.listProducts({ pageSize: 1000, pageToken: "" });
      expect(big.products.length).toBeLessThanOrEqual(100);
      expect(await failureOf(inventory.call.listProducts({ pageSize: 5, pageToken: "not-a-token" }))).toMatchObject({
        status: "INVALID_ARGUMENT",
        code: "INVALID_PAGE_TOKEN",
      });
      expect(await failureOf(inventory.call.listProducts({ pageSize: -1, pageToken: "" }))).toMatchObject({
        code: "INVALID_PAGE_SIZE",
      });
    });
  });
});
