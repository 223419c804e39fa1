import { isAppError } from "@qc/platform/errors";
import { ExponentialBackoff, handleAll, noJitterGenerator, retry, type RetryPolicy } from "cockatiel";
import { failureCode, historyEntry as entry } from "../domain/history";
import type { DeadLetterRepository } from "./dead-letter.repository.port";
import type { NewHistory } from "./order.repository.port";
import type { CompensationName } from "./order-steps";
import type { SagaObserver } from "./saga-observer.port";

export interface CompensationPolicy {
  /** Attempts in all before a compensation becomes a dead letter. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles after each. */
  readonly backoffMs: number;
  /** When the background redrive first retries a new dead letter. */
  readonly deadLetterRetryMs: number;
}

export interface CompensatorDeps {
  readonly deadLetters: Pick<DeadLetterRepository, "add">;
  readonly policy: CompensationPolicy;
  readonly newId: () => string;
  readonly observer: Pick<SagaObserver, "step" | "compensation">;
}

/** An error as the history's detail, logs and dead letters show it: its code and message. */
export const describeError = (err: unknown): string =>
  isAppError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);

/**
 * Runs a compensation (or a clean-up such as a delivered order's rider release) to its end
 * (docs/design.md §4): up to `attempts` tries under cockatiel's retry policy, `backoffMs` before
 * the second and doubling after each (no jitter). Every error is retried: a compensation is
 * idempotent, so a repeat is safe whatever the last attempt met (a timeout that may have landed,
 * a refusal such as RIDER_NOT_RELEASED that may pass later). Each failed attempt is a `retry` entry
 * in `history`; when all fail, a dead letter keeps the compensation for the redrive and the replay.
 * The attempts carry no deadline of their own beyond each call's: the saga runs them detached.
 */
export class Compensator {
  private readonly retry: RetryPolicy;

  constructor(private readonly deps: CompensatorDeps) {
    const { attempts, backoffMs } = deps.policy;
    this.retry = retry(handleAll, {
      // cockatiel counts the retries after the first attempt.
      maxAttempts: Math.max(0, attempts - 1),
      backoff: new ExponentialBackoff({
        generator: noJitterGenerator,
        initialDelay: backoffMs,
        maxDelay: Number.POSITIVE_INFINITY,
      }),
    });
  }

  /** Resolves once `compensate` succeeded (a `done` entry) or was handed to a dead letter; throws only when the dead letter could not be written. */
  async run(
    orderId: string,
    name: CompensationName,
    compensate: () => Promise<string>,
    history: NewHistory[],
  ): Promise<void> {
    const { observer } = this.deps;
    let detail: string;
    try {
      detail = await this.retry.execute(async ({ attempt }) => {
        try {
          return await observer.step({ orderId, name, compensation: true, attempt: attempt + 1 }, compensate);
        } catch (err) {
          history.push(entry(name, "retry", `attempt ${attempt + 1} failed: ${describeError(err)}`, failureCode(err)));
          observer.compensation({ orderId, step: name, outcome: "retry", error: describeError(err) });
          throw err;
        }
      });
    } catch (lastError) {
      await this.deadLetter(orderId, name, lastError, history);
      return;
    }
    history.push(entry(name, "done", detail));
    observer.compensation({ orderId, step: name, outcome: "done" });
  }

  private async deadLetter(
    orderId: string,
    name: CompensationName,
    error: unknown,
    history: NewHistory[],
  ): Promise<void> {
    const { deadLetters, policy, newId, observer } = this.deps;
    await deadLetters.add({
      id: newId(),
      orderId,
      step: name,
      error: describeError(error),
      attempts: policy.attempts,
      nextAttemptAt: new Date(Date.now() + policy.deadLetterRetryMs),
    });
    history.push(entry(name, "dead-lettered", describeError(error), failureCode(error)));
    observer.compensation({ orderId, step: name, outcome: "dead-lettered", error: describeError(error) });
  }
}
