export interface RetryBudgetOptions {
  /** Retries allowed as a share of the calls made in the window (0.1: one retry per ten calls). */
  readonly ratio: number;
  /** Retries allowed per second whatever the traffic, so a quiet caller can still retry a blip. */
  readonly minPerSecond: number;
  /** How far back calls and retries are counted. */
  readonly windowMs: number;
}

export const defaultRetryBudget: RetryBudgetOptions = { ratio: 0.1, minPerSecond: 5, windowMs: 10_000 };

const SLOTS = 10;

/**
 * Caps retries at a share of the calls made (as Finagle's and gRPC's retry budgets do), so that when a
 * target struggles, retries cannot multiply the load on it: over the last `windowMs`, retries ≤
 * `ratio` × calls + `minPerSecond` × the window in seconds. Counted in ten time slots that expire in turn.
 */
export class RetryBudget {
  private readonly calls = new Array<number>(SLOTS).fill(0);
  private readonly retries = new Array<number>(SLOTS).fill(0);
  private slot = 0;
  private slotStartedAt: number;

  constructor(
    private readonly options: RetryBudgetOptions = defaultRetryBudget,
    private readonly now: () => number = Date.now,
  ) {
    this.slotStartedAt = now();
  }

  /** Counts a call's first attempt. */
  recordCall(): void {
    this.advance();
    this.calls[this.slot]!++;
  }

  /** True (and the retry counted) when a retry fits the budget; false when it must not be made. */
  tryRetry(): boolean {
    this.advance();
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const allowed = this.options.ratio * sum(this.calls) + (this.options.minPerSecond * this.options.windowMs) / 1000;
    if (sum(this.retries) + 1 > allowed) return false;
    this.retries[this.slot]!++;
    return true;
  }

  private advance(): void {
    const slotMs = this.options.windowMs / SLOTS;
    const now = this.now();
    const elapsed = Math.min(SLOTS, Math.floor((now - this.slotStartedAt) / slotMs));
    for (let i = 0; i < elapsed; i++) {
      this.slot = (this.slot + 1) % SLOTS;
      this.calls[this.slot] = 0;
      this.retries[this.slot] = 0;
    }
    if (elapsed > 0) this.slotStartedAt = elapsed === SLOTS ? now : this.slotStartedAt + elapsed * slotMs;
  }
}
