import { newHistogram, type LoadResult } from "./load";

/** One slice of a contender's closed loop: how long to measure, after how long a warm-up. */
export interface Slice {
  readonly durationMs: number;
  readonly warmupMs: number;
}

/**
 * Closed loops of several contenders (the stack and the in-process build) measured in turns: each
 * runs `durationMs / rounds` per round, one after the other, and its slices are merged. A ratio of
 * two rates measured minutes apart carries whatever the machine did in between (on a shared VM
 * `/healthz` answered 13,900 and 27,100 req/s in runs ten minutes apart, and the ratio to the
 * in-process build of the same code read 0.42 and 0.76); taken in turns, a change in the machine's
 * speed falls on every contender alike. The first round warms each contender up for `warmupMs`,
 * later ones for `laterWarmupMs`: a contender that waited idle is warm, its loop only needs to fill.
 */
export async function inTurns<K extends string>(
  loops: Readonly<Record<K, (slice: Slice) => Promise<LoadResult>>>,
  opts: { rounds: number; durationMs: number; warmupMs: number; laterWarmupMs: number },
): Promise<Record<K, LoadResult>> {
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1)
    throw new Error(`rounds: ${opts.rounds}, expected a whole number ≥ 1`);
  const names = Object.keys(loops) as K[];
  const slices = new Map<K, LoadResult[]>(names.map((n) => [n, []]));
  const durationMs = opts.durationMs / opts.rounds;
  for (let round = 0; round < opts.rounds; round++) {
    const warmupMs = round === 0 ? opts.warmupMs : opts.laterWarmupMs;
    for (const name of names) slices.get(name)!.push(await loops[name]({ durationMs, warmupMs }));
  }
  return Object.fromEntries(names.map((n) => [n, mergeLoadResults(slices.get(n)!)])) as Record<K, LoadResult>;
}

/** Slices of one closed loop as if measured in one: requests and time summed, latencies pooled (the slices stay as they were). */
export function mergeLoadResults(slices: readonly LoadResult[]): LoadResult {
  if (slices.length === 0) throw new Error("mergeLoadResults: no slice");
  const histogram = newHistogram();
  const statuses: Record<string, number> = {};
  let requests = 0;
  let seconds = 0;
  for (const s of slices) {
    histogram.add(s.histogram);
    for (const [status, n] of Object.entries(s.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
    requests += s.requests;
    seconds += s.seconds;
  }
  return { requests, seconds, perSecond: seconds > 0 ? requests / seconds : 0, histogram, statuses };
}

/** Each service's CPU µs per order over slices, weighted by each slice's orders. */
export function weightedCpu(
  slices: readonly { requests: number; cpuUsPerOrder: Record<string, number | null> | null }[],
): Record<string, number | null> | null {
  const measured = slices.filter((s) => s.cpuUsPerOrder !== null && s.requests > 0);
  if (measured.length === 0) return null;
  const names = Object.keys(measured[0]!.cpuUsPerOrder!);
  return Object.fromEntries(
    names.map((name) => {
      const known = measured.filter((s) => s.cpuUsPerOrder![name] != null);
      const orders = known.reduce((n, s) => n + s.requests, 0);
      return [
        name,
        orders === 0
          ? null
          : Math.round(known.reduce((us, s) => us + s.cpuUsPerOrder![name]! * s.requests, 0) / orders),
      ];
    }),
  );
}
