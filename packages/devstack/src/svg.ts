/**
 * Small helpers for the hand-written SVG charts of the benchmark and the chaos run (no charting
 * dependency: a chart is a few dozen elements, written as text).
 */

/** Text for an SVG element or attribute. */
export const svgEscape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A coordinate with at most one decimal. */
export const svgNumber = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Round tick values from 0 to `max`, about six of them. */
export function niceTicks(max: number): number[] {
  const step =
    [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000].find((s) => max / s <= 6) ??
    Math.ceil(max / 6);
  const ticks: number[] = [];
  for (let v = 0; v <= max; v += step) ticks.push(v);
  return ticks;
}

/** Horizontal grid lines across a plot, each labelled at its left (`[y, label]`). */
export function svgGridY(
  out: string[],
  left: number,
  plotW: number,
  ticks: readonly (readonly [number, string])[],
): void {
  for (const [y, label] of ticks) {
    out.push(
      `<line x1="${left}" y1="${svgNumber(y)}" x2="${left + plotW}" y2="${svgNumber(y)}" stroke="#dddddd"/><text x="${left - 6}" y="${svgNumber(y + 4)}" text-anchor="end">${svgEscape(label)}</text>`,
    );
  }
}
