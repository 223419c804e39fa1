/**
 * Each service's event-loop delay over one bench phase: every service samples it with
 * `perf_hooks.monitorEventLoopDelay` (prom-client's default metrics) and serves its p99 and max
 * since the previous scrape on its metrics port (prom-client resets the histogram at each scrape).
 * So a scrape before the phase starts the window and a scrape after it reads the phase.
 */
import { EVENT_LOOP_SAMPLE_MS } from "@qc/platform/observability";
import { parsePrometheusText } from "@qc/platform/testing";

/** p99 and max event-loop delay of one service over a phase, in ms; null when its metrics did not answer. */
export interface LoopDelay {
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

export type LoopDelays = Record<string, LoopDelay>;

/**
 * A loop-delay reading, in seconds as monitorEventLoopDelay records it (the time between two of its
 * samples, taken every EVENT_LOOP_SAMPLE_MS), as the delay itself in ms: how late the loop was.
 * An idle loop reads 10 ms, and is 0 ms late.
 */
export const loopDelayMs = (seconds: number | undefined): number | null =>
  seconds === undefined ? null : Math.round(Math.max(0, seconds * 1000 - EVENT_LOOP_SAMPLE_MS) * 100) / 100;

async function scrapeDelay(metricsPort: number): Promise<LoopDelay> {
  try {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    const metrics = parsePrometheusText(await res.text());
    return {
      p99Ms: loopDelayMs(metrics.value("nodejs_eventloop_lag_p99_seconds")),
      maxMs: loopDelayMs(metrics.value("nodejs_eventloop_lag_max_seconds")),
    };
  } catch {
    return { p99Ms: null, maxMs: null };
  }
}

/** The services' metrics ports by name (services without one are left out). */
export type MetricsPorts = Record<string, number | null | undefined>;

/** Reads every service's loop delay at once (and so starts the next window). */
export async function scrapeLoopDelays(ports: MetricsPorts): Promise<LoopDelays> {
  const entries = Object.entries(ports).filter((e): e is [string, number] => typeof e[1] === "number" && e[1] > 0);
  return Object.fromEntries(
    await Promise.all(entries.map(async ([name, port]) => [name, await scrapeDelay(port)] as const)),
  );
}

/** Runs `phase` between two scrapes and resolves its result with every service's loop delay during it. */
export async function withLoopDelays<T>(
  ports: MetricsPorts | null,
  phase: () => Promise<T>,
): Promise<{ result: T; loopDelay: LoopDelays | null }> {
  if (ports === null) return { result: await phase(), loopDelay: null };
  await scrapeLoopDelays(ports);
  const result = await phase();
  return { result, loopDelay: await scrapeLoopDelays(ports) };
}

/** `gateway 3.1/12.4 ms, order …` (p99/max). */
export const formatLoopDelays = (d: LoopDelays | null): string =>
  d === null
    ? "-"
    : Object.entries(d)
        .map(([name, { p99Ms, maxMs }]) => `${name} ${p99Ms ?? "-"}/${maxMs ?? "-"}`)
        .join(", ") + " ms (p99/max)";

/** Each service's worst event-loop delay (p99 and max) over a phase's slices. */
export function worstLoopDelays(slices: readonly (LoopDelays | null)[]): LoopDelays | null {
  const measured = slices.filter((d) => d !== null);
  if (measured.length === 0) return null;
  const worst = (a: number | null | undefined, b: number | null) =>
    a === null || a === undefined ? b : b === null ? a : Math.max(a, b);
  const out: Record<string, { p99Ms: number | null; maxMs: number | null }> = {};
  for (const d of measured)
    for (const [name, { p99Ms, maxMs }] of Object.entries(d))
      out[name] = { p99Ms: worst(out[name]?.p99Ms, p99Ms), maxMs: worst(out[name]?.maxMs, maxMs) };
  return out;
}
