import { AppError } from "@qc/platform";
import { orderV1 } from "@qc/contracts";
import type { Role } from "../auth/principal";
import { toHistoryView } from "./history-view";
import type { OrderView } from "./order.schema";

const statusName: Partial<Record<orderV1.OrderStatus, OrderView["status"]>> = {
  [orderV1.OrderStatus.ORDER_STATUS_PENDING]: "PENDING",
  [orderV1.OrderStatus.ORDER_STATUS_CONFIRMED]: "CONFIRMED",
  [orderV1.OrderStatus.ORDER_STATUS_FAILED]: "FAILED",
  [orderV1.OrderStatus.ORDER_STATUS_DELIVERED]: "DELIVERED",
};

/**
 * The REST form of an order as `viewer` may see it; empty optional strings are left out rather than
 * sent as "". Only admins see the raw detail of its history (see history-view.ts).
 */
export function toOrderView(order: orderV1.Order, viewer: Role): OrderView {
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
    history: order.history.map((h) => toHistoryView(h, viewer)),
  };
}

const nonEmpty = <K extends string>(key: K, value: string): { [P in K]?: string } =>
  (value === "" ? {} : { [key]: value }) as { [P in K]?: string };
