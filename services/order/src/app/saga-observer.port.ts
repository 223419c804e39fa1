import type { FailureReason } from "../domain/order";

/** What a compensation attempt came to, as in the order's history: done, retry (it failed), dead-lettered. */
export type CompensationOutcome = "done" | "retry" | "dead-lettered";

/**
 * What the saga tells the outside world about itself: traces, metrics and logs are made from these
 * calls by an adapter, so the use cases stay free of any telemetry library. Every method must be
 * cheap and must not throw; the wrapping ones must return what `run` returns (or throw what it throws).
 */
export interface SagaObserver {
  /** Wraps one run of an order's saga (its forward steps and compensations). */
  saga<T>(orderId: string, run: () => Promise<T>): Promise<T>;
  /** Wraps one forward step, or one attempt of a compensation. */
  step<T>(
    step: { readonly orderId: string; readonly name: string; readonly compensation: boolean; readonly attempt: number },
    run: () => Promise<T>,
  ): Promise<T>;
  /** A compensation attempt ended. */
  compensation(event: {
    readonly orderId: string;
    readonly step: string;
    readonly outcome: CompensationOutcome;
    readonly error?: string;
  }): void;
  /** A saga run ended the order CONFIRMED or FAILED, `seconds` after the run began. */
  finished(event: {
    readonly orderId: string;
    readonly status: "CONFIRMED" | "FAILED";
    readonly reason: FailureReason | null;
    readonly seconds: number;
    readonly takenOver: boolean;
  }): void;
  /** A rider was assigned to a confirmed order, `seconds` after the order was confirmed. */
  riderAssigned(event: { readonly orderId: string; readonly riderId: string; readonly seconds: number }): void;
  /** A try to assign a rider failed (none free, rider service down); the order waits for the next try. */
  riderMissed(event: { readonly orderId: string; readonly error: unknown }): void;
}

/** Observes nothing (tests, and callers that wire no telemetry). */
export const unobservedSaga: SagaObserver = {
  saga: (_orderId, run) => run(),
  step: (_step, run) => run(),
  compensation: () => undefined,
  finished: () => undefined,
  riderAssigned: () => undefined,
  riderMissed: () => undefined,
};
