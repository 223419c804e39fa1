import { accepted, rejected, type Checked } from "@qc/platform/errors";
import { orderErrors } from "./order.errors";

/** An order id in its canonical form: a UUID in lowercase, as orders are created and stored. */
const CANONICAL_ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The most distinct order ids one BatchGetOrders call may ask for: bounds one query and one answer. */
export const MAX_BATCH_ORDER_IDS = 100;

/**
 * The canonical form of an order id given by a caller, who may type it in any case; null when it is
 * no order id at all. Every entry point taking an order id goes through this, and everything after
 * it (history, rider release, replies) uses the stored order's id, so one order has one id
 * everywhere — in particular in the rider service, whose keys are case-sensitive.
 */
export function parseOrderId(raw: string): string | null {
  const id = raw.toLowerCase();
  return CANONICAL_ORDER_ID.test(id) ? id : null;
}

/**
 * The distinct ids of a batch read, canonical, in the order first asked. Ids are counted after
 * canonicalizing, so one order typed in two cases is asked for (and answered) once. A malformed id
 * refuses the whole batch: a read of many is a request like any other, and its caller checks ids first.
 */
export function parseOrderIdList(raw: readonly string[]): Checked<string[]> {
  const distinct = [...new Set(raw.map((id) => id.toLowerCase()))];
  if (distinct.length > MAX_BATCH_ORDER_IDS) {
    return rejected(orderErrors.tooManyOrderIds(MAX_BATCH_ORDER_IDS, distinct.length));
  }
  const bad = raw.find((id) => parseOrderId(id) === null);
  return bad === undefined ? accepted(distinct) : rejected(orderErrors.invalidOrderId(bad));
}
