import { niceTicks, svgEscape as esc, svgGridY as gridY, svgNumber as fmt } from "@qc/devstack";
import type { RecordedAnswer } from "./invariants";
import { FAULT_KINDS, type FaultKind } from "./schedule";

export interface TimelineInput {
  readonly title: string;
  /** t = 0 of the chart: when the faults began (ms since the epoch). */
  readonly startedAt: number;
  /** When the faults ended and settling began. */
  readonly faultsEndedAt: number;
  /** When settling ended. */
  readonly settledAt: number;
  readonly faults: readonly { kind: FaultKind; target: string; startedAt: number; endedAt: number; skipped: boolean }[];
  /** The rows of the fault panel, top to bottom. */
  readonly targets: readonly string[];
  readonly answers: readonly RecordedAnswer[];
}

export const KIND_COLORS: Record<FaultKind, string> = {
  hang: "#9467bd",
  kill: "#d62728",
  "net-delay": "#ff7f0e",
  "net-drop": "#8c564b",
  "net-cut": "#e377c2",
  "pg-terminate": "#1f77b4",
  "redis-restart": "#17becf",
};

const OUTCOMES = [
  { name: "201 confirmed", color: "#2ca02c", test: (s: number) => s === 201 },
  { name: "202 pending", color: "#bcbd22", test: (s: number) => s === 202 },
  { name: "402/409 refused", color: "#1f77b4", test: (s: number) => s === 402 || s === 409 },
  { name: "503 unavailable", color: "#ff7f0e", test: (s: number) => s === 503 },
  { name: "other (no answer, 5xx, 4xx)", color: "#d62728", test: () => true },
] as const;

/** Orders answered per second by outcome, and the p99 latency (ms) of each second, from t = 0. */
export function perSecond(input: Pick<TimelineInput, "startedAt" | "settledAt" | "answers">): {
  counts: number[][];
  p99: (number | null)[];
} {
  const seconds = Math.max(1, Math.ceil((input.settledAt - input.startedAt) / 1000));
  const counts = OUTCOMES.map(() => new Array<number>(seconds).fill(0));
  const latencies: number[][] = Array.from({ length: seconds }, () => []);
  for (const a of input.answers) {
    if (a.kind !== "order") continue;
    const s = Math.floor((a.endedAt - input.startedAt) / 1000);
    if (s < 0 || s >= seconds) continue;
    // A request past its deadline has no status worth the name: it counts as "other".
    const k = a.hung ? OUTCOMES.length - 1 : OUTCOMES.findIndex((o) => o.test(a.status));
    counts[k]![s]!++;
    latencies[s]!.push(a.endedAt - a.startedAt);
  }
  const p99 = latencies.map((l) => {
    if (l.length === 0) return null;
    const sorted = [...l].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
  });
  return { counts, p99 };
}

/**
 * The run as one SVG: faults as coloured bands per target, orders per second by outcome, and the
 * p99 latency of each second (log scale), over a shared time axis; settling is shaded.
 */
export function timelineSvg(input: TimelineInput): string {
  const W = 1400;
  const left = 170;
  const right = 30;
  const plotW = W - left - right;
  const rowH = 14;
  const legendH = 56;
  const faultTop = legendH + 20;
  const faultH = input.targets.length * rowH;
  const rateTop = faultTop + faultH + 50;
  const rateH = 220;
  const latTop = rateTop + rateH + 50;
  const latH = 160;
  const H = latTop + latH + 50;
  const { counts, p99 } = perSecond(input);
  const seconds = counts[0]!.length;
  const x = (ms: number) => left + (Math.max(0, ms - input.startedAt) / 1000 / seconds) * plotW;
  const xs = (s: number) => left + (s / seconds) * plotW;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${left}" y="18" font-size="15" font-weight="bold">${esc(input.title)}</text>`);

  // Legend: fault kinds, then outcomes.
  let lx = left;
  for (const kind of FAULT_KINDS) {
    out.push(
      `<rect x="${lx}" y="28" width="12" height="10" fill="${KIND_COLORS[kind]}"/><text x="${lx + 16}" y="37">${kind}</text>`,
    );
    lx += 30 + kind.length * 7;
  }
  lx = left;
  for (const o of OUTCOMES) {
    out.push(
      `<line x1="${lx}" y1="49" x2="${lx + 14}" y2="49" stroke="${o.color}" stroke-width="2.5"/><text x="${lx + 18}" y="53">${esc(o.name)}</text>`,
    );
    lx += 40 + o.name.length * 6.5;
  }
  out.push(
    `<line x1="${lx}" y1="49" x2="${lx + 14}" y2="49" stroke="black" stroke-width="1.5"/><text x="${lx + 18}" y="53">p99 latency of orders</text>`,
  );

  // Settling, shaded across every panel.
  const settleX = x(input.faultsEndedAt);
  out.push(
    `<rect x="${fmt(settleX)}" y="${faultTop}" width="${fmt(Math.max(0, left + plotW - settleX))}" height="${latTop + latH - faultTop}" fill="#eeeeee"/>`,
  );
  out.push(
    `<text x="${fmt(left + plotW)}" y="${faultTop - 6}" text-anchor="end" fill="#555">shaded: settling (faults over, no new orders)</text>`,
  );

  // Panel 1: faults per target.
  out.push(`<text x="${left}" y="${faultTop - 6}" font-weight="bold">faults</text>`);
  input.targets.forEach((t, i) => {
    const y = faultTop + i * rowH;
    if (i % 2 === 0)
      out.push(`<rect x="${left}" y="${y}" width="${plotW}" height="${rowH}" fill="#f6f6f6" fill-opacity="0.6"/>`);
    out.push(`<text x="${left - 6}" y="${y + rowH - 3}" text-anchor="end">${esc(t)}</text>`);
  });
  for (const f of input.faults) {
    const row = input.targets.indexOf(f.target);
    if (row < 0 || f.skipped) continue;
    const x0 = x(f.startedAt);
    const w = Math.max(2.5, x(f.endedAt) - x0);
    out.push(
      `<rect x="${fmt(x0)}" y="${faultTop + row * rowH + 2}" width="${fmt(w)}" height="${rowH - 4}" fill="${KIND_COLORS[f.kind]}"><title>${esc(`${f.kind} ${f.target}`)}</title></rect>`,
    );
  }
  axis(out, faultTop + faultH, seconds, xs, left, plotW);

  // Panel 2: orders per second by outcome.
  const maxRate = Math.max(5, ...counts.flat());
  const yRate = (v: number) => rateTop + rateH - (v / maxRate) * rateH;
  out.push(`<text x="${left}" y="${rateTop - 8}" font-weight="bold">orders answered per second, by outcome</text>`);
  gridY(
    out,
    left,
    plotW,
    niceTicks(maxRate).map((v) => [yRate(v), String(v)]),
  );
  OUTCOMES.forEach((o, k) => {
    const pts = counts[k]!.map((v, s) => `${fmt(xs(s + 0.5))},${fmt(yRate(v))}`).join(" ");
    out.push(`<polyline points="${pts}" fill="none" stroke="${o.color}" stroke-width="1.6"/>`);
  });
  axis(out, rateTop + rateH, seconds, xs, left, plotW);

  // Panel 3: p99 latency per second (log scale, 1 ms to 20 s).
  const lo = Math.log10(1);
  const hi = Math.log10(20_000);
  const yLat = (ms: number) => latTop + latH - ((Math.log10(Math.max(1, ms)) - lo) / (hi - lo)) * latH;
  out.push(
    `<text x="${left}" y="${latTop - 8}" font-weight="bold">p99 latency of the orders answered in each second (ms, log scale)</text>`,
  );
  gridY(
    out,
    left,
    plotW,
    [1, 10, 100, 1_000, 10_000].map((v) => [yLat(v), v >= 1_000 ? `${v / 1_000} s` : `${v} ms`]),
  );
  const deadline = yLat(15_000);
  out.push(
    `<line x1="${left}" y1="${fmt(deadline)}" x2="${left + plotW}" y2="${fmt(deadline)}" stroke="#d62728" stroke-dasharray="4 3"/><text x="${left + plotW - 4}" y="${fmt(deadline - 3)}" text-anchor="end" fill="#d62728">client deadline 15 s</text>`,
  );
  let path = "";
  p99.forEach((v, s) => {
    if (v === null) return;
    path += `${path === "" || p99[s - 1] === null ? "M" : "L"}${fmt(xs(s + 0.5))},${fmt(yLat(v))} `;
  });
  if (path) out.push(`<path d="${path.trim()}" fill="none" stroke="black" stroke-width="1.3"/>`);
  // A dot per second too, so a second with answers between two without shows.
  p99.forEach(
    (v, s) => v !== null && out.push(`<circle cx="${fmt(xs(s + 0.5))}" cy="${fmt(yLat(v))}" r="1.8" fill="black"/>`),
  );
  axis(out, latTop + latH, seconds, xs, left, plotW);
  out.push(`<text x="${left + plotW / 2}" y="${H - 10}" text-anchor="middle">seconds since the faults began</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function axis(out: string[], y: number, seconds: number, xs: (s: number) => number, left: number, plotW: number): void {
  out.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="black"/>`);
  const step = [5, 10, 15, 30, 60, 120].find((s) => seconds / s <= 14) ?? 300;
  for (let s = 0; s <= seconds; s += step) {
    out.push(
      `<line x1="${fmt(xs(s))}" y1="${y}" x2="${fmt(xs(s))}" y2="${y + 4}" stroke="black"/><text x="${fmt(xs(s))}" y="${y + 16}" text-anchor="middle">${s}</text>`,
    );
  }
}
