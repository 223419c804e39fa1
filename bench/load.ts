import hdr from "hdr-histogram-js";

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly histogram: hdr.Histogram;
  readonly statuses: Record<string, number>;
}

/** Latencies in microseconds, up to 60 s, 3 significant digits. */
export const newHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** What one request answered: an HTTP status, or a label such as "error". */
export type Send = () => Promise<number | string>;

/**
 * Closed loop: `concurrency` workers each send, wait for the answer, and send again. Answers during
 * the warm-up are not counted. A worker told to back off (`pauseMs` of its answer, e.g. a 503 with
 * Retry-After) waits that long before sending again, as a well-behaved client does; answers that
 * `counts` rejects are tallied in `statuses` but left out of the rate and the latencies.
 */
export async function closedLoop(
  send: Send,
  opts: {
    concurrency: number;
    durationMs: number;
    warmupMs: number;
    maxRequests?: number;
    pauseMs?: (status: number | string) => number;
    counts?: (status: number | string) => boolean;
  },
): Promise<LoadResult> {
  const histogram = newHistogram();
  const statuses: Record<string, number> = {};
  const start = Date.now();
  const measureFrom = start + opts.warmupMs;
  const end = measureFrom + opts.durationMs;
  let requests = 0;
  const limit = opts.maxRequests ?? Infinity;
  const worker = async () => {
    while (Date.now() < end && requests < limit) {
      const t0 = nowUs();
      const status = await send().catch(() => "error");
      const t1 = nowUs();
      if (Date.now() >= measureFrom && Date.now() <= end) {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (opts.counts?.(status) ?? true) {
          histogram.recordValue(Math.max(1, t1 - t0));
          requests++;
        }
      }
      const pause = Math.min(opts.pauseMs?.(status) ?? 0, end - Date.now());
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = Math.min(opts.durationMs, Date.now() - measureFrom) / 1000;
  return { requests, seconds, perSecond: requests / seconds, histogram, statuses };
}

/**
 * Open loop: requests start on a fixed schedule whatever the answers do; latency is measured from
 * the scheduled start, so a stall shows up in the tail instead of hiding it (coordinated omission).
 */
export async function openLoop(send: Send, opts: { ratePerSec: number; durationMs: number }): Promise<LoadResult> {
  const histogram = newHistogram();
  const statuses: Record<string, number> = {};
  const intervalUs = 1_000_000 / opts.ratePerSec;
  const total = Math.floor((opts.ratePerSec * opts.durationMs) / 1000);
  const startUs = nowUs();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduledUs = startUs + i * intervalUs;
    const waitMs = (scheduledUs - nowUs()) / 1000;
    if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs));
    inFlight.push(
      send()
        .catch(() => "error")
        .then((status) => {
          histogram.recordValue(Math.max(1, nowUs() - scheduledUs));
          statuses[status] = (statuses[status] ?? 0) + 1;
        }),
    );
  }
  await Promise.all(inFlight);
  const seconds = (nowUs() - startUs) / 1_000_000;
  return { requests: total, seconds, perSecond: total / seconds, histogram, statuses };
}

export const ms = (h: hdr.Histogram, percentile: number): number =>
  Math.round(h.getValueAtPercentile(percentile)) / 1000;
