import { describe, expect, it } from "vitest";
import { parseDeductionRequest, parseOrderId, summarize } from "./stock-deduction";

const codeOf = (c: { ok: boolean; violation?: { code: string } }): string | undefined => c.violation?.code;

describe("parseDeductionRequest", () => {
  it("merges duplicate skus and sorts the lines by sku", () => {
    const parsed = parseDeductionRequest("o-1", [
      { sku: "b", quantity: 1 },
      { sku: "a", quantity: 2 },
      { sku: "b", quantity: 3 },
    ]);
    expect(parsed).toEqual({
      ok: true,
      value: {
        orderId: "o-1",
        lines: [
          { sku: "a", quantity: 2 },
          { sku: "b", quantity: 4 },
        ],
      },
    });
  });

  it("sorts in byte order, like the database's C collation", () => {
    const parsed = parseDeductionRequest("o", [
      { sku: "a", quantity: 1 },
      { sku: "B", quantity: 1 },
      { sku: "0", quantity: 1 },
    ]);
    expect(parsed.ok && parsed.value.lines.map((l) => l.sku)).toEqual(["0", "B", "a"]);
  });

  it.each([0, -1, 1.5, 10_001])("rejects quantity %d", (quantity) => {
    expect(codeOf(parseDeductionRequest("o", [{ sku: "a", quantity }]))).toBe("INVALID_QUANTITY");
  });

  it("applies the per-line limit to merged lines", () => {
    expect(
      codeOf(
        parseDeductionRequest("o", [
          { sku: "a", quantity: 6_000 },
          { sku: "a", quantity: 5_000 },
        ]),
      ),
    ).toBe("INVALID_QUANTITY");
  });

  it("rejects no items, too many items and bad skus", () => {
    expect(codeOf(parseDeductionRequest("o", []))).toBe("NO_ITEMS");
    const many = Array.from({ length: 51 }, (_, i) => ({ sku: `s${i}`, quantity: 1 }));
    expect(codeOf(parseDeductionRequest("o", many))).toBe("TOO_MANY_ITEMS");
    expect(parseDeductionRequest("o", many.slice(0, 50)).ok).toBe(true);
    expect(codeOf(parseDeductionRequest("o", [{ sku: "", quantity: 1 }]))).toBe("INVALID_SKU");
  });

  it("rejects a bad order id before looking at items", () => {
    expect(codeOf(parseDeductionRequest("", []))).toBe("INVALID_ORDER_ID");
  });
});

describe("parseOrderId", () => {
  it.each(["", "x".repeat(65), "tab\there"])("rejects %j", (id) => {
    expect(codeOf(parseOrderId(id))).toBe("INVALID_ORDER_ID");
  });

  it("accepts 64 characters", () => {
    expect(parseOrderId("x".repeat(64)).ok).toBe(true);
  });
});

describe("summarize", () => {
  it("totals quantity × unit price", () => {
    const lines = [
      { sku: "a", quantity: 2, unitPriceCents: 150, currency: "EUR" },
      { sku: "b", quantity: 1, unitPriceCents: 99, currency: "EUR" },
    ];
    expect(summarize(lines)).toEqual({ lines, totalCents: 399, currency: "EUR" });
  });
});
