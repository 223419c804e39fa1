import type { HistoryEntry, Order } from "../api/types";
import { time } from "../format";
import { failureReason } from "../messages";

/** The saga's steps as a customer follows them, each done when its history code is there. */
const STEPS: readonly {
  readonly label: string;
  readonly steps: readonly string[];
  readonly codes: readonly string[];
}[] = [
  { label: "Order received", steps: ["order"], codes: ["ORDER_CREATED"] },
  { label: "Items reserved", steps: ["reserve-stock"], codes: ["STOCK_RESERVED"] },
  { label: "Payment taken", steps: ["charge-payment"], codes: ["PAYMENT_CHARGED", "NOTHING_TO_CHARGE"] },
  { label: "Confirmed", steps: ["saga"], codes: ["ORDER_CONFIRMED"] },
  { label: "Rider assigned", steps: ["assign-rider"], codes: ["RIDER_ASSIGNED"] },
  { label: "Delivered", steps: ["delivery"], codes: ["ORDER_DELIVERED"] },
];

/** Codes of what a failed order's compensation undid, in plain words. */
const UNDONE: Readonly<Record<string, string>> = {
  STOCK_RELEASED: "The reserved items were put back on the shelf.",
  PAYMENT_REFUNDED: "The payment was refunded to your wallet.",
};

const REFUSALS = new Set(["refused", "failed", "dead-lettered"]);

type StepState = "done" | "current" | "failed" | "waiting" | "skipped";

function stepStates(order: Order): StepState[] {
  const codes = new Set(order.history.map((h) => h.code));
  // What the status itself proves (an order written before some codes existed still shows right).
  const provenDone = order.status === "DELIVERED" ? STEPS.length : order.status === "CONFIRMED" ? 4 : 1;
  const done = STEPS.map((s, i) => i < provenDone || s.codes.some((c) => codes.has(c)));
  if (order.status === "FAILED") {
    const failedAt = failedStep(order.history, done);
    return STEPS.map((_, i) => (done[i] === true && i < failedAt ? "done" : i === failedAt ? "failed" : "skipped"));
  }
  const firstOpen = done.findIndex((d) => !d);
  return STEPS.map((_, i) => (done[i] === true ? "done" : i === firstOpen ? "current" : "waiting"));
}

/** The step a failed order stopped at: the first forward step refused or failed, else the first not done. */
function failedStep(history: readonly HistoryEntry[], done: readonly boolean[]): number {
  for (const h of history) {
    if (!REFUSALS.has(h.outcome)) continue;
    const i = STEPS.findIndex((s) => s.steps.includes(h.step));
    if (i !== -1) return i;
  }
  const open = done.findIndex((d) => !d);
  return open === -1 ? STEPS.length - 1 : open;
}

const STATE_TEXT: Record<StepState, string> = {
  done: "done",
  current: "in progress",
  failed: "did not go through",
  waiting: "waiting",
  skipped: "not reached",
};

/** Where an order is: its saga's steps filling in while PENDING, then confirmed, delivered or failed with why. */
export function OrderProgress({ order }: { order: Order }) {
  const states = stepStates(order);
  const doneCount = states.filter((s) => s === "done").length;
  const undone = order.history.filter((h) => UNDONE[h.code] !== undefined);
  const headline =
    order.status === "PENDING"
      ? "We're processing your order…"
      : order.status === "CONFIRMED"
        ? order.riderId !== undefined
          ? "Confirmed — a rider is on the way."
          : "Confirmed — we're finding a rider."
        : order.status === "DELIVERED"
          ? "Delivered. Enjoy!"
          : "This order did not go through.";
  return (
    <section className={`progress progress-${order.status.toLowerCase()}`} aria-labelledby="progress-title">
      <h2 id="progress-title">
        <span className={`status status-${order.status.toLowerCase()}`}>{order.status}</span> {headline}
      </h2>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label="Order progress"
        aria-valuemin={0}
        aria-valuemax={STEPS.length}
        aria-valuenow={doneCount}
        aria-valuetext={`${doneCount} of ${STEPS.length} steps done`}
      >
        <div className="progress-fill" style={{ width: `${(100 * doneCount) / STEPS.length}%` }} />
      </div>
      <ol className="steps">
        {STEPS.map((step, i) => {
          const state = states[i] ?? "waiting";
          const entry = order.history.find((h) => step.codes.includes(h.code));
          return (
            <li
              key={step.label}
              className={`step step-${state}`}
              aria-current={state === "current" ? "step" : undefined}
              data-testid={`step-${i}`}
            >
              <span className="step-mark" aria-hidden="true" />
              <span className="step-label">{step.label}</span>
              <span className="step-state">
                {STATE_TEXT[state]}
                {entry !== undefined && state === "done" ? ` · ${time(entry.at)}` : ""}
              </span>
            </li>
          );
        })}
      </ol>
      {order.status === "FAILED" && (
        <div className="failure" role="alert">
          <p className="failure-reason">
            <strong>Why:</strong> {failureReason(order.failureReason, order.currency)}
          </p>
          {undone.length > 0 && (
            <>
              <p>What we undid:</p>
              <ul className="undone">
                {undone.map((h) => (
                  <li key={`${h.code}-${h.at}`}>{UNDONE[h.code]}</li>
                ))}
              </ul>
            </>
          )}
          {undone.length === 0 && <p>Nothing was reserved or charged.</p>}
        </div>
      )}
    </section>
  );
}
