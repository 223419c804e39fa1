import { isAppError, notFound } from "@qc/platform/errors";
import type { orderV1 } from "@qc/contracts";
import type { Principal } from "../auth/principal";
import type { OrderView } from "./order.schema";
import { toOrderView } from "./order-view";

/**
 * Who may see an order: its customer, or an admin. Someone else's order is reported exactly like a
 * missing one (404 ORDER_NOT_FOUND), so order ids cannot be probed.
 */
const missing = (id: string) => notFound("ORDER_NOT_FOUND", `order ${id} not found`);

/** The order as `caller` may see it, or ORDER_NOT_FOUND when it is someone else's. */
export function visibleOrder(order: orderV1.Order, caller: Principal, id: string): OrderView {
  const view = toOrderView(order, caller.role);
  if (caller.role !== "admin" && view.customerId !== caller.subject) throw missing(id);
  return view;
}

/** An upstream's not-found (whatever it names) as the one ORDER_NOT_FOUND; any other error as it is. */
export function asOrderNotFound(err: unknown, id: string): unknown {
  return isAppError(err) && err.kind === "not_found" ? missing(id) : err;
}
