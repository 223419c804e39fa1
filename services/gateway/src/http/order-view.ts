import { AppError } from "@qc/platform";
import { orderV1 } from "@qc/contracts";
import type { OrderView } from "./order.schema";

const statusName: Partial<Record<orderV1.OrderStatus, OrderView["status"]>> = {
  [orderV1.OrderStatus.ORDER_STATUS_PENDING]: "PENDING",
  [orderV1.OrderStatus.ORDER_STATUS_CONFIRMED]: "CONFIRMED",
  [orderV1.OrderStatus.ORDER_STATUS_FAILED]: "FAILED",
  [orderV1.OrderStatus.ORDER_STATUS_DELIVERED]: "DELIVERED",
};

/** The REST form of an order; empty optional strings are left out rather than sent as "". */
export function toOrderView(order: orderV1.Order): OrderView {
  const status = statusName[order.status];
  if (status === undefined) throw new AppError("internal", "INTERNAL", `order ${order.id} has unknown status ${order.status}`);
  return {
    id: order.id,
    customerId: order.customerId,
    status,
    items: order.items.map(({ sku, quantity, priceCents }) => ({ sku, quantity, priceCents })),
    totalCents: order.totalCents,
    currency: order.currency,
    ...nonEmpty("failureReason", order.failureReason),
    ...nonEmpty("riderId", order.riderId),
    ...(order.deliveryLocation && { deliveryLocation: { lat: order.deliveryLocation.lat, lon: order.deliveryLocation.lon } }),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    history: order.history.map(({ step, outcome, detail, at }) => ({ step, outcome, ...nonEmpty("detail", detail), at })),
  };
}

const nonEmpty = <K extends string>(key: K, value: string): { [P in K]?: string } =>
  (value === "" ? {} : { [key]: value }) as { [P in K]?: string };
