export interface ConcurrencyLimitOptions {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /**
   * A request that takes longer than this is a sign of queueing: the limit shrinks. At equilibrium
   * about one request in a hundred is slower, so this is roughly the p99 latency of what is let in.
   */
  readonly latencyTargetMs: number;
  /** What the limit is multiplied by on a sign of queueing (or a request the upstream shed). */
  readonly backoffRatio: number;
  /**
   * With a tolerance, the target follows the platform: `tolerance` × the p99 latency of requests
   * made while the limit held nothing back (less than half used: what customers see at a normal
   * load: the latest 256 of them), never below `latencyTargetMs` nor above `maxLatencyTargetMs` — which
   * is also the target until something is learnt (a cold start is slow, and not an overload). A
   * slower machine, or heavier orders, then do not read as overload; a standing queue still does,
   * and under overload the tail of what is let in stays within `tolerance` × its usual tail.
   */
  readonly tolerance?: number;
  readonly maxLatencyTargetMs?: number;
}

/** The quantile of normal-load latency the target is a multiple of. */
const BASELINE_QUANTILE = 0.99;
/**
 * How many of the latest normal-load latencies that quantile is taken over: enough for a stable p99,
 * few enough that a busy stretch that read as normal (a closed loop just under the limit) is
 * forgotten after a few seconds of truly normal load.
 */
const BASELINE_WINDOW = 256;
/** New samples between two computations of the quantile (a sort of the window). */
const BASELINE_REFRESH = 16;
/** The deepest cut of one decrease: the limit is at least halved by nothing. */
const MAX_CUT = 0.5;

/** How a request let in ended, for the limit. */
export interface Admission {
  /** The work was done (or refused on its merits): its latency, from admission to now, is a sample of the platform's load. */
  success(): void;
  /** The platform shed it or timed out: a sign of overload whatever its latency. */
  dropped(): void;
  /** It says nothing about the platform's load (rejected before any work, client went away). */
  ignore(): void;
}

/**
 * An adaptive concurrency limit (AIMD, as TCP's congestion window and Netflix's concurrency-limits
 * `AIMDLimit`): at most `limit` requests in flight; the rest are refused at once, never queued. Each
 * request that completes within the latency target while the limit is what holds traffic back adds
 * 1/limit (one per round trip); a slower one, or one the platform dropped, multiplies the limit by
 * `backoffRatio`, once per round trip — signals from requests that started before the last decrease
 * saw the load that caused it and are not counted again. A request far slower than the target cuts
 * deeper, by target/latency down to a half (the gradient of Netflix's `Gradient2Limit`): a limit
 * that grew while the load was light comes down to a standing queue's in a round trip or two, not
 * ten. Requests made while less than half the limit was in use move it neither way.
 */
export class ConcurrencyLimit {
  private estimate: number;
  private active = 0;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  /** The latest latencies of requests made while less than half the limit was used (a ring). */
  private readonly normalLatencies = new Float64Array(BASELINE_WINDOW);
  private normalCount = 0;
  /** Their p99, recomputed every BASELINE_REFRESH samples; null before any. */
  private baselineMs: number | null = null;

  constructor(
    readonly options: ConcurrencyLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (options.minLimit < 1 || options.minLimit > options.maxLimit) throw new Error("need 1 ≤ minLimit ≤ maxLimit");
    this.estimate = Math.min(options.maxLimit, Math.max(options.minLimit, options.initialLimit));
  }

  /** Requests allowed in flight now. */
  get limit(): number {
    return Math.floor(this.estimate);
  }

  get inFlight(): number {
    return this.active;
  }

  /** Latency above which a request is a sign of queueing, now. */
  get latencyTargetMs(): number {
    const { latencyTargetMs, tolerance, maxLatencyTargetMs } = this.options;
    if (tolerance === undefined) return latencyTargetMs;
    if (this.baselineMs === null) return maxLatencyTargetMs ?? latencyTargetMs;
    return Math.min(
      maxLatencyTargetMs ?? Number.POSITIVE_INFINITY,
      Math.max(latencyTargetMs, tolerance * this.baselineMs),
    );
  }

  /** An admission for one request, or null when the limit is reached (refuse it at once). */
  tryAcquire(): Admission | null {
    if (this.active >= this.limit) return null;
    this.active++;
    const startedAt = this.now();
    const inFlightAtStart = this.active;
    let done = false;
    const finish = (outcome: "success" | "dropped" | "ignore") => {
      if (done) return;
      done = true;
      // How busy the limit was around this request: at its start, or at its end (itself included).
      const inFlight = Math.max(inFlightAtStart, this.active);
      this.active--;
      if (outcome !== "ignore") this.sample(startedAt, this.now() - startedAt, inFlight, outcome === "dropped");
    };
    return { success: () => finish("success"), dropped: () => finish("dropped"), ignore: () => finish("ignore") };
  }

  private sample(startedAt: number, latencyMs: number, inFlight: number, dropped: boolean): void {
    // A limit that traffic does not reach says nothing about itself, up or down: a half-used limit is
    // not what made a request slow (a slow dependency, a busy machine), nor a sign that more would fit.
    if (inFlight * 2 < this.limit) {
      if (!dropped) this.learnBaseline(latencyMs);
      return;
    }
    const now = this.now();
    const target = this.latencyTargetMs;
    if (dropped || latencyMs > target) {
      if (startedAt < this.lastDecreaseAt) return;
      const ratio = dropped
        ? this.options.backoffRatio
        : Math.min(this.options.backoffRatio, Math.max(MAX_CUT, target / latencyMs));
      this.estimate = Math.max(this.options.minLimit, this.estimate * ratio);
      this.lastDecreaseAt = now;
      return;
    }
    this.estimate = Math.min(this.options.maxLimit, this.estimate + 1 / this.estimate);
  }

  /** The p99 of the window's latencies, exact (a sort of at most BASELINE_WINDOW numbers now and then). */
  private learnBaseline(latencyMs: number): void {
    this.normalLatencies[this.normalCount % BASELINE_WINDOW] = latencyMs;
    this.normalCount++;
    if (this.baselineMs !== null && this.normalCount % BASELINE_REFRESH !== 0) return;
    const window = this.normalLatencies.slice(0, Math.min(this.normalCount, BASELINE_WINDOW)).sort();
    this.baselineMs = window[Math.min(window.length - 1, Math.floor(window.length * BASELINE_QUANTILE))]!;
  }
}
