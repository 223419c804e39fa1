import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from "cockatiel";
import { AppError, CIRCUIT_OPEN, certainlyNoEffect, isAppError, withOutcomeUnknown } from "./errors";
import { answeredByTarget, isDeadlineExceeded, isTargetFailure, isTransient } from "./grpc/status";
import { currentDeadline } from "./overload/deadline";
import { defaultRetryBudget, RetryBudget, type RetryBudgetOptions } from "./overload/retry-budget";

export interface ResilienceOptions {
  /** Deadline of one attempt. */
  readonly timeoutMs: number;
  /** Consecutive transient failures that open the breaker. */
  readonly breakerThreshold: number;
  /** How long the breaker stays open before it lets one trial call through. */
  readonly halfOpenAfterMs: number;
  /** Attempts in all (1 = no retry) for calls marked safe to retry. */
  readonly retryAttempts: number;
  readonly retryInitialDelayMs: number;
  /** How many retries the target may get, as a share of calls (default: 10 %, at least 5 a second). */
  readonly retryBudget?: RetryBudgetOptions;
}

export const defaultResilience: ResilienceOptions = {
  timeoutMs: 2_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 5_000,
  retryAttempts: 2,
  retryInitialDelayMs: 50,
};

/** The caller's own deadline passed before the call was sent: nothing was sent. */
export const deadlinePassed = (target: string): AppError =>
  new AppError("unavailable", "DEADLINE_EXCEEDED", `the caller's deadline passed before calling ${target}`);

export type BreakerState = "closed" | "open" | "half-open";

const stateName = (s: CircuitState): BreakerState =>
  s === CircuitState.Closed ? "closed" : s === CircuitState.HalfOpen ? "half-open" : "open";

/** Fails at once, without touching the network, while the target's breaker is open. */
export const circuitOpen = (target: string): AppError =>
  new AppError("unavailable", CIRCUIT_OPEN, `Circuit Open: ${target} is unavailable`);

/**
 * deadline → circuit breaker → retry (where safe, within a retry budget), for every call from
 * `caller` to `target`. Only transient failures (unavailable, deadline exceeded) get retried, and only
 * those that say the target is dead count against its breaker; business refusals pass straight through.
 *
 * Busy is not dead: a target that answers anything (a result, a refusal, "overloaded") is alive. So an
 * attempt that timed out does not count against the breaker when the target answered another call
 * while it was waiting (it is slow because it queues, and the breaker would only turn a slowdown into
 * an outage for everyone), nor when the caller's own deadline left it less than half its usual time.
 * What counts: no connection, a connection lost, or a timeout while the target answered nobody.
 */
export class ResilientTarget {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly backoff: ExponentialBackoff<unknown>;
  private readonly retryBudget: RetryBudget;
  /** Timeouts that say the target is busy, not dead (see the class comment): the breaker skips them. */
  private readonly busy = new WeakSet<object>();
  /** When the target last answered a call (ms since the epoch). */
  private lastAnswerAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly caller: string,
    readonly target: string,
    readonly options: ResilienceOptions = defaultResilience,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((e) => isTargetFailure(e) && !(typeof e === "object" && e !== null && this.busy.has(e))),
      { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakerThreshold) },
    );
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.backoff = new ExponentialBackoff({ initialDelay: options.retryInitialDelayMs, maxDelay: 1_000 });
    this.retryBudget = new RetryBudget(options.retryBudget ?? defaultRetryBudget);
  }

  get state(): BreakerState {
    return stateName(this.breaker.state);
  }

  /**
   * True while a call would fail at once with Circuit Open. The breaker only turns half-open when
   * someone calls, so once the half-open delay has passed this is false again: a caller that checks
   * it before starting work still sends the trial call that can close the breaker.
   */
  get refusesCalls(): boolean {
    return this.breaker.state === CircuitState.Open && Date.now() - this.openedAt < this.options.halfOpenAfterMs;
  }

  private openedAt = 0;

  onStateChange(listener: (state: BreakerState) => void): void {
    this.breaker.onStateChange((s) => listener(stateName(s)));
  }

  /**
   * Runs one call (given each attempt's deadline) under the policies. Each attempt ends by its own
   * timeout or by the deadline of the work it is made for (`currentDeadline`), whichever is first.
   * Certainty belongs to the whole call, not to its last attempt: when any attempt may have reached
   * the target, the error the call ends with says so (`outcomeUnknown`), even if the last attempt met
   * an open circuit or a refusal.
   */
  async execute<T>(attempt: (deadline: Date) => Promise<T>, retrySafe: boolean): Promise<T> {
    let mayHaveReached = false;
    const once = async (): Promise<T> => {
      const started = Date.now();
      const ownDeadline = started + this.options.timeoutMs;
      const deadline = Math.min(ownDeadline, currentDeadline());
      if (deadline <= started) throw deadlinePassed(this.target);
      // The caller left the target less than half its usual time: a timeout then says little about it.
      const cutShort = deadline - started < this.options.timeoutMs / 2;
      try {
        return await this.breaker.execute(async () => {
          try {
            const result = await attempt(new Date(deadline));
            this.lastAnswerAt = Date.now();
            return result;
          } catch (err) {
            if (answeredByTarget(err)) this.lastAnswerAt = Date.now();
            else if (
              isDeadlineExceeded(err) &&
              (this.lastAnswerAt > started || cutShort) &&
              typeof err === "object" &&
              err !== null
            ) {
              this.busy.add(err);
            }
            throw err;
          }
        });
      } catch (err) {
        const error = err instanceof BrokenCircuitError ? circuitOpen(this.target) : err;
        if (!certainlyNoEffect(error)) mayHaveReached = true;
        throw error;
      }
    };
    this.retryBudget.recordCall();
    const attempts = retrySafe ? Math.max(1, this.options.retryAttempts) : 1;
    let backoff = this.backoff.next();
    try {
      for (let n = 1; ; n++) {
        try {
          return await once();
        } catch (err) {
          // A retry only for a transient failure, within the budget, and with time left to make it.
          const retry =
            n < attempts &&
            isTransient(err) &&
            Date.now() + backoff.duration < currentDeadline() &&
            this.retryBudget.tryRetry();
          if (!retry) throw err;
          await new Promise((resolve) => setTimeout(resolve, backoff.duration));
          backoff = backoff.next(undefined);
        }
      }
    } catch (err) {
      // Only an error that reads like a certain no-effect needs the mark; any other already says "unknown".
      throw mayHaveReached && isAppError(err) && certainlyNoEffect(err) ? withOutcomeUnknown(err) : err;
    }
  }
}

/** Every breaker a process owns, for the admin API and metrics. */
export class BreakerRegistry {
  private readonly targets: ResilientTarget[] = [];
  private readonly listeners: ((target: ResilientTarget, state: BreakerState) => void)[] = [];

  add(target: ResilientTarget): ResilientTarget {
    this.targets.push(target);
    target.onStateChange((state) => {
      for (const listener of this.listeners) listener(target, state);
    });
    return target;
  }

  /** Calls `listener` on every state change of every breaker in the registry, now or added later. */
  onStateChange(listener: (target: ResilientTarget, state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  list(): { caller: string; target: string; state: BreakerState }[] {
    return this.targets.map((t) => ({ caller: t.caller, target: t.target, state: t.state }));
  }

  /** The targets whose calls would fail at once right now. */
  refusing(): string[] {
    return this.targets.filter((t) => t.refusesCalls).map((t) => t.target);
  }
}
