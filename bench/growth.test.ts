import { describe, expect, it } from "vitest";
import { growthCheck, growthSteps, worseThanLinear } from "./growth";

describe("growth of a cost with its input", () => {
  it("is exponent 1 for a linear cost, 0 for a flat one, 2 for a quadratic one", () => {
    const xs = [1, 10, 100];
    expect(growthSteps(xs.map((x) => ({ x, y: 3 * x }))).map((s) => s.exponent)).toEqual([1, 1]);
    expect(growthSteps(xs.map((x) => ({ x, y: 7 }))).map((s) => s.exponent)).toEqual([0, 0]);
    expect(growthSteps(xs.map((x) => ({ x, y: x * x }))).map((s) => s.exponent)).toEqual([2, 2]);
  });

  it("flags only steps worse than linear beyond the tolerance, in input order", () => {
    const steps = growthSteps(
      [
        { x: 32, y: 100 },
        { x: 1, y: 10 },
        { x: 8, y: 20 },
        { x: 128, y: 1_000 },
      ],
      0.25,
    );
    expect(steps.map((s) => [s.from, s.to, s.worseThanLinear])).toEqual([
      [1, 8, false],
      [8, 32, false], // 5× for 4×: exponent 1.16, within the tolerance
      [32, 128, true], // 10× for 4×: exponent 1.66
    ]);
  });

  it("has no slope where a value is zero, and flags nothing there", () => {
    expect(
      growthSteps([
        { x: 1, y: 0 },
        { x: 10, y: 5 },
      ]),
    ).toEqual([{ from: 1, to: 10, exponent: null, worseThanLinear: false }]);
  });

  it("names each flagged step", () => {
    const checks = [
      growthCheck("lines per order", "ms per order", [
        { x: 1, y: 1 },
        { x: 10, y: 100 },
      ]),
      growthCheck("products", "ms per order", [
        { x: 100, y: 5 },
        { x: 1000, y: 5 },
      ]),
    ];
    expect(worseThanLinear(checks)).toEqual(["ms per order against lines per order: 1 → 10 grows with exponent 2"]);
  });
});
