import { niceTicks, svgEscape as esc, svgGridY, svgNumber as fmt } from "@qc/devstack";

export interface ChartPoint {
  /** The input: clients, products, lines per order. */
  readonly x: number;
  readonly ordersPerSec: number;
  readonly p99Ms: number;
}

export interface ChartPanel {
  readonly title: string;
  /** The x axis' name, e.g. "clients (log scale)". */
  readonly xLabel: string;
  /** What the panel held fixed, printed under its title. */
  readonly note: string;
  readonly points: readonly ChartPoint[];
}

export const THROUGHPUT_COLOR = "#1f77b4";
export const P99_COLOR = "#d62728";

/** 100, 1k, 10k, 100k. */
export function shortNumber(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}

/**
 * Panels side by side, one per swept input: orders/s (left axis, blue, solid) and p99 latency
 * (right axis, red, dashed) at each measured value of the input, on a log scale.
 */
export function sweepSvg(input: { title: string; subtitle: string; panels: readonly ChartPanel[] }): string {
  const panelW = 420;
  const gap = 90;
  const left = 70;
  const top = 96;
  const plotH = 260;
  const plotW = panelW - 40;
  const W = left + input.panels.length * panelW + (input.panels.length - 1) * (gap - 40) + 40;
  const H = top + plotH + 70;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${left}" y="20" font-size="15" font-weight="bold">${esc(input.title)}</text>`);
  out.push(`<text x="${left}" y="38" fill="#555">${esc(input.subtitle)}</text>`);
  out.push(
    `<line x1="${left}" y1="52" x2="${left + 16}" y2="52" stroke="${THROUGHPUT_COLOR}" stroke-width="2.5"/><text x="${left + 20}" y="56">orders/s (left axis)</text>` +
      `<line x1="${left + 160}" y1="52" x2="${left + 176}" y2="52" stroke="${P99_COLOR}" stroke-width="2.5" stroke-dasharray="5 3"/><text x="${left + 180}" y="56">p99 latency, ms (right axis)</text>`,
  );
  input.panels.forEach((panel, i) => {
    const x0 = left + i * (panelW + gap - 40);
    panelSvg(out, panel, x0, top, plotW, plotH);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function panelSvg(out: string[], panel: ChartPanel, left: number, top: number, plotW: number, plotH: number): void {
  const points = [...panel.points].sort((a, b) => a.x - b.x);
  out.push(`<text x="${left}" y="${top - 22}" font-weight="bold">${esc(panel.title)}</text>`);
  out.push(`<text x="${left}" y="${top - 8}" fill="#555">${esc(panel.note)}</text>`);
  if (points.length === 0) return;
  const lo = Math.log10(points[0]!.x);
  const hi = Math.log10(points[points.length - 1]!.x);
  const pad = 0.06 * plotW;
  const xAt = (x: number) => left + pad + (hi === lo ? 0.5 : (Math.log10(x) - lo) / (hi - lo)) * (plotW - 2 * pad);
  const rateTicks = niceTicks(Math.max(5, ...points.map((p) => p.ordersPerSec)) * 1.1);
  const latTicks = niceTicks(Math.max(5, ...points.map((p) => p.p99Ms)) * 1.1);
  const rateMax = rateTicks[rateTicks.length - 1]! + (rateTicks[1] ?? 1) - (rateTicks[0] ?? 0);
  const latMax = latTicks[latTicks.length - 1]! + (latTicks[1] ?? 1) - (latTicks[0] ?? 0);
  const yRate = (v: number) => top + plotH - (v / rateMax) * plotH;
  const yLat = (v: number) => top + plotH - (v / latMax) * plotH;
  svgGridY(
    out,
    left,
    plotW,
    rateTicks.map((v) => [yRate(v), String(v)] as const),
  );
  for (const v of latTicks) {
    out.push(`<text x="${left + plotW + 6}" y="${fmt(yLat(v) + 4)}" fill="${P99_COLOR}">${v}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="black"/>`);
  for (const p of points) {
    const x = xAt(p.x);
    out.push(
      `<line x1="${fmt(x)}" y1="${top + plotH}" x2="${fmt(x)}" y2="${top + plotH + 4}" stroke="black"/><text x="${fmt(x)}" y="${top + plotH + 16}" text-anchor="middle">${shortNumber(p.x)}</text>`,
    );
  }
  out.push(`<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle">${esc(panel.xLabel)}</text>`);
  const line = (y: (p: ChartPoint) => number) => points.map((p) => `${fmt(xAt(p.x))},${fmt(y(p))}`).join(" ");
  out.push(
    `<polyline points="${line((p) => yRate(p.ordersPerSec))}" fill="none" stroke="${THROUGHPUT_COLOR}" stroke-width="2"/>`,
  );
  out.push(
    `<polyline points="${line((p) => yLat(p.p99Ms))}" fill="none" stroke="${P99_COLOR}" stroke-width="2" stroke-dasharray="5 3"/>`,
  );
  for (const p of points) {
    const x = fmt(xAt(p.x));
    out.push(
      `<circle cx="${x}" cy="${fmt(yRate(p.ordersPerSec))}" r="3" fill="${THROUGHPUT_COLOR}"><title>${esc(`${p.x}: ${p.ordersPerSec} orders/s`)}</title></circle>`,
    );
    out.push(
      `<text x="${x}" y="${fmt(yRate(p.ordersPerSec) - 7)}" text-anchor="middle" fill="${THROUGHPUT_COLOR}">${Math.round(p.ordersPerSec)}</text>`,
    );
    out.push(
      `<circle cx="${x}" cy="${fmt(yLat(p.p99Ms))}" r="3" fill="${P99_COLOR}"><title>${esc(`${p.x}: p99 ${p.p99Ms} ms`)}</title></circle>`,
    );
    out.push(
      `<text x="${x}" y="${fmt(yLat(p.p99Ms) + 15)}" text-anchor="middle" fill="${P99_COLOR}">${Math.round(p.p99Ms)}</text>`,
    );
  }
}
