import { describe, expect, it } from "vitest";
import { parseNewProduct, parseRestock, parseSku, parseSkuList, type Product } from "./product";

const valid: Product = { sku: "apple-1", name: "Apple", priceCents: 120, currency: "EUR", stock: 5 };
const codeOf = (c: { ok: boolean; violation?: { code: string } }): string | undefined => c.violation?.code;

describe("parseSku", () => {
  it.each(["a", "A1", "sku_1-x", "9".repeat(64)])("accepts %s", (sku) => {
    expect(parseSku(sku)).toEqual({ ok: true, value: sku });
  });

  it.each(["", "-a", "_a", "a b", "a/b", "ä", "a".repeat(65)])("rejects %j", (sku) => {
    expect(codeOf(parseSku(sku))).toBe("INVALID_SKU");
  });
});

describe("parseNewProduct", () => {
  it("accepts a valid product and drops unknown fields", () => {
    expect(parseNewProduct({ ...valid, extra: 1 } as Product)).toEqual({ ok: true, value: valid });
  });

  it.each<[Partial<Product>, string]>([
    [{ sku: "" }, "INVALID_SKU"],
    [{ name: "" }, "INVALID_NAME"],
    [{ name: "   " }, "INVALID_NAME"],
    [{ name: "x".repeat(201) }, "INVALID_NAME"],
    [{ name: "nul\u0000byte" }, "INVALID_NAME"],
    [{ priceCents: -1 }, "INVALID_PRICE"],
    [{ priceCents: 1.5 }, "INVALID_PRICE"],
    [{ priceCents: 1_000_000_001 }, "INVALID_PRICE"],
    [{ currency: "eur" }, "INVALID_CURRENCY"],
    [{ currency: "EURO" }, "INVALID_CURRENCY"],
    [{ stock: -1 }, "INVALID_STOCK"],
    [{ stock: 1_000_000_001 }, "INVALID_STOCK"],
  ])("rejects %j with %s", (change, code) => {
    expect(codeOf(parseNewProduct({ ...valid, ...change }))).toBe(code);
  });

  it("counts characters, not UTF-16 units, against the name limit", () => {
    expect(parseNewProduct({ ...valid, name: "🍎".repeat(200) }).ok).toBe(true);
  });

  it("accepts the bounds", () => {
    expect(parseNewProduct({ ...valid, priceCents: 0, stock: 0 }).ok).toBe(true);
    expect(parseNewProduct({ ...valid, priceCents: 1_000_000_000, stock: 1_000_000_000 }).ok).toBe(true);
  });
});

describe("parseRestock", () => {
  it("accepts a positive integer quantity", () => {
    expect(parseRestock("a", 3)).toEqual({ ok: true, value: { sku: "a", quantity: 3 } });
  });

  it.each([0, -1, 2.5, 1_000_000_001])("rejects quantity %d", (q) => {
    expect(codeOf(parseRestock("a", q))).toBe("INVALID_QUANTITY");
  });

  it("rejects a bad sku", () => {
    expect(codeOf(parseRestock("", 1))).toBe("INVALID_SKU");
  });
});

describe("parseSkuList", () => {
  it("keeps the first occurrence of each sku, in order", () => {
    expect(parseSkuList(["b", "a", "b"])).toEqual({ ok: true, value: ["b", "a"] });
  });

  it("rejects a bad sku and too many skus", () => {
    expect(codeOf(parseSkuList(["a", "not ok"]))).toBe("INVALID_SKU");
    expect(codeOf(parseSkuList(Array.from({ length: 101 }, (_, i) => `s${i}`)))).toBe("TOO_MANY_SKUS");
  });
});
