import type { OrderView } from "./order.schema";
import { ProblemError } from "./problem";

/** The success status of a created order: 201 once confirmed, 202 while its saga still runs. */
export type CreatedStatus = 201 | 202;

/**
 * The answer CreateOrder's order calls for. A FAILED order is thrown as a problem that carries the
 * order, so the one error table decides its status (409 OUT_OF_STOCK, 402 PAYMENT_DECLINED, 422 REJECTED, 503 else).
 */
export function createdOrderStatus(order: OrderView): CreatedStatus {
  switch (order.status) {
    case "PENDING":
      return 202;
    // A replayed key answers with the order as it is now, which may be delivered already.
    case "CONFIRMED":
    case "DELIVERED":
      return 201;
    case "FAILED":
      throw orderFailed(order);
  }
}

function orderFailed(order: OrderView): ProblemError {
  const reason = order.failureReason ?? "SERVICE_UNAVAILABLE";
  switch (reason) {
    case "OUT_OF_STOCK":
      return new ProblemError("refused", reason, "Not enough stock for every item of the order.", { order });
    case "PAYMENT_DECLINED":
      return new ProblemError("refused", reason, "The payment for the order was declined.", { order });
    case "REJECTED":
      // A dependency refused it for certain (not for lack of stock or money): placing it again fails again.
      return new ProblemError("invalid", reason, "The order cannot be processed as placed.", { order });
    default:
      // A dependency failed mid-saga and the order was compensated; placing it again may succeed.
      return new ProblemError("unavailable", reason, `The order failed (${reason}); try again later.`, { order });
  }
}
