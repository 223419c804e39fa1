import { isAppError } from "@qc/platform/errors";
import type { HistoryEntry } from "./order";

/**
 * Codes of the events an order's history records, by `step:outcome`. A code is stable and names
 * what happened in the platform's words; the gateway turns it into a fixed sentence for customers,
 * while `detail` (ids, counts, the raw error with addresses and sockets) is for admins and logs only.
 */
const EVENT_CODES: Readonly<Record<string, string>> = {
  "order:created": "ORDER_CREATED",
  "reserve-stock:done": "STOCK_RESERVED",
  "charge-payment:done": "PAYMENT_CHARGED",
  "charge-payment:skipped": "NOTHING_TO_CHARGE",
  "refund-payment:done": "PAYMENT_REFUNDED",
  "release-stock:done": "STOCK_RELEASED",
  "saga:confirmed": "ORDER_CONFIRMED",
  "saga:taken-over": "PROCESSING_RESUMED",
  "saga:resumed": "PROCESSING_RESUMED",
  "assign-rider:done": "RIDER_ASSIGNED",
  "assign-rider:revoked": "RIDER_UNASSIGNED",
  "delivery:done": "ORDER_DELIVERED",
  "release-rider:done": "RIDER_RELEASED",
};

const CODE = /^[A-Z][A-Z0-9_]*$/;

/** The code of a successful event: from the table, else `STEP_OUTCOME` (a new step still gets a stable code). */
export function eventCode(step: string, outcome: string): string {
  return EVENT_CODES[`${step}:${outcome}`] ?? `${step}_${outcome}`.toUpperCase().replaceAll(/[^A-Z0-9]+/g, "_");
}

/** The code of a failure: the error's own stable code (SERVICE_UNAVAILABLE, PAYMENT_DECLINED, …), INTERNAL for anything else. */
export function failureCode(err: unknown): string {
  return isAppError(err) && CODE.test(err.code) ? err.code : "INTERNAL";
}

/** A history entry as of now; `code` defaults to the event's. */
export const historyEntry = (
  step: string,
  outcome: string,
  detail = "",
  code = eventCode(step, outcome),
): HistoryEntry => ({
  step,
  outcome,
  code,
  detail,
  at: new Date(),
});
