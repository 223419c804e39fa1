import type { orderV1 } from "@qc/contracts";
import type { Role } from "../auth/principal";
import type { OrderView } from "./order.schema";

type HistoryView = OrderView["history"][number];

/**
 * What customers are told about each history code: fixed sentences, so nothing an upstream wrote
 * (addresses, sockets, ids) reaches them. A code without one here gets its outcome's sentence.
 */
const SENTENCES: Readonly<Record<string, string>> = {
  ORDER_CREATED: "The order was received.",
  STOCK_RESERVED: "The items were reserved.",
  PAYMENT_CHARGED: "The payment was taken.",
  NOTHING_TO_CHARGE: "Nothing was charged: the order is free.",
  ORDER_CONFIRMED: "The order is confirmed.",
  PAYMENT_REFUNDED: "The payment was refunded.",
  STOCK_RELEASED: "The reserved items were released.",
  PROCESSING_RESUMED: "Processing of the order resumed.",
  RIDER_ASSIGNED: "A rider was assigned.",
  RIDER_UNASSIGNED: "The rider was unassigned; another one will be assigned.",
  RIDER_RELEASED: "The rider finished the delivery.",
  ORDER_DELIVERED: "The order was delivered.",
  OUT_OF_STOCK: "An item is out of stock.",
  PAYMENT_DECLINED: "The payment was declined.",
  REJECTED: "The order could not be processed.",
  SERVICE_UNAVAILABLE: "A service was temporarily unavailable.",
  CIRCUIT_OPEN: "A service was temporarily unavailable.",
  DEADLINE_EXCEEDED: "A service took too long to answer.",
  OVERLOADED: "The platform was too busy at that moment.",
  INTERNAL: "Something went wrong on our side.",
};

const OUTCOME_SENTENCES: Readonly<Record<string, string>> = {
  done: "This step is done.",
  refused: "This step was refused.",
  failed: "This step did not succeed.",
  retry: "This step did not succeed and is being retried.",
  "dead-lettered": "This step did not succeed; it will be retried later.",
};

const CODE = /^[A-Z][A-Z0-9_]*$/;

/** The code of an entry; one written before codes existed is named by its step and outcome. */
const codeOf = (h: orderV1.HistoryEntry): string =>
  CODE.test(h.code) ? h.code : `${h.step}_${h.outcome}`.toUpperCase().replaceAll(/[^A-Z0-9]+/g, "_");

/** A history entry as `viewer` may see it: the raw detail only for admins (it names the platform's insides). */
export function toHistoryView(h: orderV1.HistoryEntry, viewer: Role): HistoryView {
  const code = codeOf(h);
  const message = SENTENCES[code] ?? OUTCOME_SENTENCES[h.outcome] ?? "The order's state changed.";
  return {
    step: h.step,
    outcome: h.outcome,
    code,
    message,
    ...(viewer === "admin" && h.detail !== "" && { detail: h.detail }),
    at: h.at,
  };
}
