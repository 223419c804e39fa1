import { describe, expect, it } from "vitest";
import { planDeduction, replayDeduction } from "./deduction-plan";
import type { Product } from "./product";

const product = (sku: string, stock: number, priceCents = 100, currency = "EUR"): Product => ({
  sku,
  name: sku,
  priceCents,
  currency,
  stock,
});

describe("planDeduction", () => {
  it("prices every line at the product's current price", () => {
    expect(planDeduction([{ sku: "a", quantity: 2 }], [product("a", 2, 250)])).toEqual({
      ok: true,
      value: [{ sku: "a", quantity: 2, unitPriceCents: 250, currency: "EUR" }],
    });
  });

  it("names every unknown sku", () => {
    const plan = planDeduction(
      [
        { sku: "a", quantity: 1 },
        { sku: "b", quantity: 1 },
        { sku: "c", quantity: 1 },
      ],
      [product("b", 5)],
    );
    expect(plan).toMatchObject({
      ok: false,
      violation: { kind: "not_found", code: "PRODUCT_NOT_FOUND", message: "no product with sku a, c" },
    });
  });

  it("names every short sku in an out-of-stock refusal", () => {
    const plan = planDeduction(
      [
        { sku: "a", quantity: 3 },
        { sku: "b", quantity: 1 },
        { sku: "c", quantity: 9 },
      ],
      [product("a", 2), product("b", 1), product("c", 0)],
    );
    expect(plan).toMatchObject({
      ok: false,
      violation: { kind: "refused", code: "OUT_OF_STOCK", message: "out of stock: a, c" },
    });
  });

  it("refuses an order mixing currencies", () => {
    const plan = planDeduction(
      [
        { sku: "a", quantity: 1 },
        { sku: "b", quantity: 1 },
      ],
      [product("a", 1), product("b", 1, 1, "USD")],
    );
    expect(plan).toMatchObject({ ok: false, violation: { code: "MIXED_CURRENCIES" } });
  });
});

describe("replayDeduction", () => {
  const lines = [{ sku: "a", quantity: 2, unitPriceCents: 100, currency: "EUR" }];
  const request = { orderId: "o-1", lines: [{ sku: "a", quantity: 2 }] };

  it("answers the first result again", () => {
    expect(replayDeduction(request, { status: "reserved", lines })).toEqual({
      ok: true,
      value: { lines, totalCents: 200, currency: "EUR" },
    });
  });

  it("is a conflict when the items differ", () => {
    const other = { orderId: "o-1", lines: [{ sku: "a", quantity: 3 }] };
    expect(replayDeduction(other, { status: "reserved", lines })).toMatchObject({
      ok: false,
      violation: { kind: "conflict", code: "RESERVATION_MISMATCH" },
    });
  });

  it("refuses an order that was released, tombstone or not", () => {
    for (const existing of [
      { status: "released" as const, lines },
      { status: "released" as const, lines: [] },
    ]) {
      expect(replayDeduction(request, existing)).toMatchObject({
        ok: false,
        violation: { kind: "refused", code: "ORDER_RELEASED" },
      });
    }
  });
});
