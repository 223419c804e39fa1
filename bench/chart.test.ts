import { describe, expect, it } from "vitest";
import { P99_COLOR, shortNumber, sweepSvg, THROUGHPUT_COLOR, type ChartPanel } from "./chart";

const panel = (title: string, points: [number, number, number][]): ChartPanel => ({
  title,
  xLabel: "clients (log scale)",
  note: "1–3 lines <per> order",
  points: points.map(([x, ordersPerSec, p99Ms]) => ({ x, ordersPerSec, p99Ms })),
});

/** The numbers of a polyline's `points`, as [x, y] pairs. */
const polyline = (svg: string, color: string): [number, number][] => {
  const m = new RegExp(`<polyline points="([^"]+)" fill="none" stroke="${color}"`).exec(svg);
  if (!m?.[1]) throw new Error(`no polyline in ${color}`);
  return m[1].split(" ").map((pair) => pair.split(",").map(Number) as [number, number]);
};

describe("the sweep chart", () => {
  const svg = sweepSvg({
    title: "How cost grows",
    subtitle: "2 cores",
    panels: [
      panel("concurrency", [
        [32, 90, 400],
        [1, 20, 60],
        [8, 80, 120],
        [128, 85, 1_600],
      ]),
      panel("catalog", [
        [100, 70, 300],
        [100_000, 60, 350],
      ]),
    ],
  });

  it("is one SVG document with a panel per input, text escaped", () => {
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain(">concurrency<");
    expect(svg).toContain(">catalog<");
    expect(svg).toContain("1–3 lines &lt;per&gt; order");
    expect(svg).not.toContain("<per>");
  });

  it("draws orders/s and p99 at the inputs in increasing order, on a log x scale", () => {
    const rate = polyline(svg, THROUGHPUT_COLOR);
    const p99 = polyline(svg, P99_COLOR);
    expect(rate).toHaveLength(4);
    const xs = rate.map(([x]) => x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(p99.map(([x]) => x)).toEqual(xs);
    // 1 → 8 → 32 → 128: equal ratios of 4 after the first step are equal distances on a log scale.
    expect(xs[3]! - xs[2]!).toBeCloseTo(xs[2]! - xs[1]!, 0);
    // Higher values are higher up (smaller y): 8 clients answer more orders/s than 1, and 128 wait longest.
    expect(rate[1]![1]).toBeLessThan(rate[0]![1]);
    expect(Math.min(...p99.map(([, y]) => y))).toBe(p99[3]![1]);
  });

  it("labels the inputs briefly", () => {
    expect([100, 1_000, 10_000, 100_000, 50, 1_500].map(shortNumber)).toEqual([
      "100",
      "1k",
      "10k",
      "100k",
      "50",
      "1500",
    ]);
    expect(svg).toContain(">100k</text>");
  });
});
