import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type RetryPolicy,
} from "cockatiel";
import { AppError, CIRCUIT_OPEN, certainlyNoEffect, isAppError, withOutcomeUnknown } from "./errors";
import { isTargetFailure, isTransient } from "./grpc/status";

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
}

export const defaultResilience: ResilienceOptions = {
  timeoutMs: 2_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 5_000,
  retryAttempts: 2,
  retryInitialDelayMs: 50,
};

export type BreakerState = "closed" | "open" | "half-open";

const stateName = (s: CircuitState): BreakerState =>
  s === CircuitState.Closed ? "closed" : s === CircuitState.HalfOpen ? "half-open" : "open";

/** Fails at once, without touching the network, while the target's breaker is open. */
export const circuitOpen = (target: string): AppError =>
  new AppError("unavailable", CIRCUIT_OPEN, `Circuit Open: ${target} is unavailable`);

/**
 * deadline → circuit breaker → retry (where safe), for every call from `caller` to `target`.
 * Only transient failures (unavailable, deadline exceeded) get retried, and only those of the target
 * itself count against its breaker; business refusals pass straight through.
 */
export class ResilientTarget {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retryPolicy: RetryPolicy;

  constructor(
    readonly caller: string,
    readonly target: string,
    readonly options: ResilienceOptions = defaultResilience,
  ) {
    this.breaker = circuitBreaker(handleWhen(isTargetFailure), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.retryPolicy = retry(handleWhen(isTransient), {
      maxAttempts: Math.max(0, options.retryAttempts - 1),
      backoff: new ExponentialBackoff({ initialDelay: options.retryInitialDelayMs, maxDelay: 1_000 }),
    });
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
   * Runs one call (given each attempt's deadline) under the policies. Certainty belongs to the whole
   * call, not to its last attempt: when any attempt may have reached the target, the error the call
   * ends with says so (`outcomeUnknown`), even if the last attempt met an open circuit or a refusal.
   */
  async execute<T>(attempt: (deadline: Date) => Promise<T>, retrySafe: boolean): Promise<T> {
    let mayHaveReached = false;
    const once = async (): Promise<T> => {
      try {
        return await this.breaker.execute(() => attempt(new Date(Date.now() + this.options.timeoutMs)));
      } catch (err) {
        const error = err instanceof BrokenCircuitError ? circuitOpen(this.target) : err;
        if (!certainlyNoEffect(error)) mayHaveReached = true;
        throw error;
      }
    };
    try {
      return await (retrySafe && this.options.retryAttempts > 1 ? this.retryPolicy.execute(once) : once());
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
