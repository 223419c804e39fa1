import { describe, expect, it } from "vitest";
import { orderLines, sweepGrowth, sweepPanels, type SweepAxis } from "./sweep";

const point = (x: number, ordersPerSec: number, p99Ms: number) => ({
  x,
  ordersPerSec,
  linesPerSec: null,
  p50Ms: p99Ms / 2,
  p99Ms,
  statuses: {},
});

describe("the sweep", () => {
  it("orders n distinct skus among the first ones asked for", () => {
    const skus = Array.from({ length: 100 }, (_, i) => `s${i}`);
    const lines = orderLines(skus, 60, 50);
    expect(new Set(lines.map((l) => l.sku)).size).toBe(50);
    expect(lines.every((l) => Number(l.sku.slice(1)) < 60 && l.quantity === 1)).toBe(true);
    expect(() => orderLines(skus, 10, 11)).toThrow(/11 distinct lines from 10/);
  });

  it("checks cost per order and p99 along each input, and API seeding time along the catalog", () => {
    const axes: SweepAxis[] = [
      { input: "clients", held: "", points: [point(1, 10, 50), point(8, 60, 150), point(32, 60, 600)] },
      // 50 lines take ten times the capacity of 5 lines: 10× for 10× is linear, not worse.
      { input: "lines per order", held: "", points: [point(5, 50, 100), point(50, 5, 1_000)] },
    ];
    const seeding = [
      { products: 100, added: 100, method: "api" as const, seconds: 1, perSecond: 100 },
      { products: 1_000, added: 900, method: "api" as const, seconds: 9, perSecond: 100 },
      { products: 100_000, added: 99_000, method: "sql" as const, seconds: 2, perSecond: 49_500 },
    ];
    const checks = sweepGrowth(axes, seeding);
    expect(checks.map((c) => `${c.cost} / ${c.input}`)).toEqual([
      "ms of capacity per order (1000 / orders/s) / clients",
      "p99 ms / clients",
      "ms of capacity per order (1000 / orders/s) / lines per order",
      "p99 ms / lines per order",
      "seconds to seed the catalog through the API up to that size / products",
    ]);
    // 8 → 32 clients at the same rate: p99 grows 4× for 4× (Little's law), linear.
    expect(checks[1]?.steps.map((s) => s.exponent)).toEqual([0.53, 1]);
    expect(checks[2]?.steps[0]?.exponent).toBe(1);
    expect(checks[4]?.steps).toEqual([{ from: 100, to: 1_000, exponent: 1, worseThanLinear: false }]);
    expect(checks.flatMap((c) => c.steps).some((s) => s.worseThanLinear)).toBe(false);
  });

  it("draws a panel per input with what was held fixed", () => {
    const panels = sweepPanels({ axes: [{ input: "products", held: "32 clients", points: [point(100, 10, 5)] }] });
    expect(panels).toEqual([
      {
        title: "Catalog size",
        xLabel: "products in the catalog (log scale)",
        note: "32 clients",
        points: [point(100, 10, 5)],
      },
    ]);
  });
});
