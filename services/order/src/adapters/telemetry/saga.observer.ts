import type { Logger } from "@qc/platform/log";
import { inSpan, type Metrics } from "@qc/platform/observability";
import { isAppError } from "@qc/platform/errors";
import type { FailureReason } from "../../domain/order";
import { compensations } from "../../app/order-steps";
import type { CompensationOutcome, SagaObserver } from "../../app/saga-observer.port";

// A saga is a few calls when all is well, up to the upstream deadline × retries when not.
const SAGA_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// From confirmation to a rider: at once when one is free, minutes while none is.
const RIDER_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const REASONS: readonly FailureReason[] = ["OUT_OF_STOCK", "PAYMENT_DECLINED", "SERVICE_UNAVAILABLE", "REJECTED"];
const COMPENSATIONS = compensations.map((c) => c.name);
const OUTCOMES: readonly CompensationOutcome[] = ["done", "retry", "dead-lettered"];

/**
 * The saga's traces, metrics and logs. Spans: `saga` around a run and `saga <step>` around each step
 * and compensation attempt, all with `order.id`. Metrics: `saga_outcomes_total{status, reason}`,
 * `saga_duration_seconds`, `saga_compensations_total{step, outcome}`, `rider_assignment_seconds`,
 * `rider_assignment_misses_total{reason}`. Logs: one info line per finished saga (with its orderId),
 * a warning per failed compensation attempt, an error per dead letter.
 */
export function sagaObserver(metrics: Metrics, logger: Logger): SagaObserver {
  const outcomes = metrics.counter({
    name: "saga_outcomes_total",
    help: "Sagas ended, by final status (CONFIRMED, FAILED) and failure reason (none when confirmed).",
    labelNames: ["status", "reason"],
  });
  const duration = metrics.histogram({
    name: "saga_duration_seconds",
    help: "Time from the start of a saga run to its final status.",
    buckets: SAGA_BUCKETS,
  });
  const compensations = metrics.counter({
    name: "saga_compensations_total",
    help: "Compensation attempts by step and outcome: done, retry (the attempt failed), dead-lettered (every attempt failed).",
    labelNames: ["step", "outcome"],
  });
  const riderLatency = metrics.histogram({
    name: "rider_assignment_seconds",
    help: "Time from an order's confirmation to its rider assignment.",
    buckets: RIDER_BUCKETS,
  });
  const riderMisses = metrics.counter({
    name: "rider_assignment_misses_total",
    help: "Tries to assign a rider that found none (NO_RIDER_AVAILABLE) or could not ask (rider service unavailable).",
    labelNames: ["reason"],
  });
  // Every series exists from the start, so an alert on increase() sees the first failure.
  outcomes.inc({ status: "CONFIRMED", reason: "none" }, 0);
  for (const reason of REASONS) outcomes.inc({ status: "FAILED", reason }, 0);
  for (const step of COMPENSATIONS) for (const outcome of OUTCOMES) compensations.inc({ step, outcome }, 0);

  return {
    saga: (orderId, run) => inSpan("saga", { "order.id": orderId }, run),
    step: (step, run) =>
      inSpan(
        `saga ${step.name}`,
        {
          "order.id": step.orderId,
          "saga.step": step.name,
          "saga.compensation": step.compensation,
          "saga.attempt": step.attempt,
        },
        run,
      ),
    compensation: ({ orderId, step, outcome, error }) => {
      compensations.inc({ step, outcome });
      if (outcome === "retry") logger.warn({ orderId, step, error }, "compensation attempt failed");
      else if (outcome === "dead-lettered") logger.error({ orderId, step, error }, "compensation dead-lettered");
    },
    finished: ({ orderId, status, reason, seconds, takenOver }) => {
      outcomes.inc({ status, reason: reason ?? "none" });
      duration.observe(seconds);
      logger.info({ orderId, status, reason, durationMs: Math.round(seconds * 1000), takenOver }, "saga finished");
    },
    riderAssigned: ({ orderId, riderId, seconds }) => {
      riderLatency.observe(Math.max(0, seconds));
      logger.info({ orderId, riderId }, "rider assigned");
    },
    riderMissed: ({ orderId, error }) => {
      const reason = isAppError(error) ? error.code : "UNKNOWN";
      riderMisses.inc({ reason });
      logger.debug({ orderId, reason }, "no rider assigned yet");
    },
  };
}
