import { certainlyNoEffect } from "@qc/platform/errors";

/**
 * One step of a saga: its forward action and the action that undoes it. A compensation must be
 * idempotent and a no-op when the forward action never took effect, because it also runs when the
 * forward call's outcome is unknown (a timeout may hide a success).
 */
export interface SagaStep<C, K> {
  readonly name: string;
  run(ctx: C): Promise<void>;
  /** What undoes the step; the saga hands it to `SagaHooks.compensate`, which runs it. */
  readonly compensate?: K;
}

export interface SagaFailure {
  readonly step: string;
  readonly error: unknown;
  /** False when the failed call may still have taken effect, so its own compensation runs too. */
  readonly certain: boolean;
}

export interface SagaHooks<C, K> {
  /** Called once the saga has decided to fail, before anything is compensated (to make it durable). */
  onFailing(ctx: C, failure: SagaFailure): Promise<void>;
  /** Runs one compensation with its retries; resolves when it succeeded or was handed to a dead letter. */
  compensate(ctx: C, compensation: K): Promise<void>;
}

export type SagaOutcome = { readonly ok: true } | { readonly ok: false; readonly failure: SagaFailure };

export interface SagaRunOptions {
  /**
   * The saga was started by a driver that died (or lost its lease) after it may have got anywhere:
   * no failure is then certain to have left nothing behind, and a failure undoes every step.
   */
  readonly resumed: boolean;
}

/**
 * Runs the steps in order; on the first failure, runs the compensations of every step that ran
 * (and of the failed one when its outcome is unknown; of every step when `resumed`) in reverse order.
 */
export async function runSaga<C, K>(
  steps: readonly SagaStep<C, K>[],
  ctx: C,
  hooks: SagaHooks<C, K>,
  { resumed }: SagaRunOptions = { resumed: false },
): Promise<SagaOutcome> {
  for (const [index, step] of steps.entries()) {
    try {
      await step.run(ctx);
    } catch (error) {
      const failure: SagaFailure = { step: step.name, error, certain: !resumed && certainlyNoEffect(error) };
      const mayHaveRun = resumed ? steps : failure.certain ? steps.slice(0, index) : steps.slice(0, index + 1);
      await hooks.onFailing(ctx, failure);
      await compensateAll(compensationsOf(mayHaveRun), ctx, hooks);
      return { ok: false, failure };
    }
  }
  return { ok: true };
}

/** The compensations of `steps`, in step order. */
export const compensationsOf = <C, K>(steps: readonly SagaStep<C, K>[]): K[] =>
  steps.flatMap((s) => (s.compensate === undefined ? [] : [s.compensate]));

/** Runs the given compensations in reverse order (the last step undone first). */
export async function compensateAll<C, K>(
  compensations: readonly K[],
  ctx: C,
  hooks: Pick<SagaHooks<C, K>, "compensate">,
): Promise<void> {
  for (const c of [...compensations].reverse()) await hooks.compensate(ctx, c);
}
