/** An order id in its canonical form: a UUID in lowercase, as orders are created and stored. */
const CANONICAL_ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
