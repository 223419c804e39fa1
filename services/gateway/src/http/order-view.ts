import { AppError } from "@qc/platform/errors";
import { orderV1 } from "@qc/contracts";
import type { Role } from "../auth/principal";
import { toHistoryView } from "./history-view";
import type { OrderView } from "./order.schema";

/** The REST statuses and their wire values, both ways. */
const wireStatus: Readonly<Record<OrderView["status"], orderV1.OrderStatus>> = {
  PENDING: orderV1.OrderStatus.ORDER_STATUS_PENDING,
  CONFIRMED: orderV1.OrderStatus.ORDER_STATUS_CONFIRMED,
  FAILED: orderV1.OrderStatus.ORDER_STATUS_FAILED,
  DELIVERED: orderV1.OrderStatus.ORDER_STATUS_DELIVERED,
};
const statusName = new Map(Object.entries(wireStatus).map(([name, wire]) => [wire, name as OrderView["status"]]));

/**
 * The REST form of an order as `viewer` may see it; empty optional strings are left out rather than
 * sent as "". Only admins see the raw detail of its history (see history-view.ts).
 */
export function toOrderView(order: orderV1.Order, viewer: Role): OrderView {
  const status = statusName.get(order.status);
  if (status === undefined)
    throw new AppError("internal", "INTERNAL", `order ${order.id} has unknown status ${order.status}`);
  return {
    id: order.id,
    customerId: order.customerId,
    status,
    items: order.items.map(({ sku, quantity, priceCents }) => ({ sku, quantity, priceCents })),
    totalCents: order.totalCents,
    currency: order.currency,
    ...nonEmpty("failureReason", order.failureReason),
    ...nonEmpty("riderId", order.riderId),
    ...(order.deliveryLocation && {
      deliveryLocation: { lat: order.deliveryLocation.lat, lon: order.deliveryLocation.lon },
    }),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    history: order.history.map((h) => toHistoryView(h, viewer)),
  };
}

/** The wire status of a REST one, for filters. */
export const toProtoStatus = (status: OrderView["status"]): orderV1.OrderStatus => wireStatus[status];

/** A page of orders as `viewer` may see them; `nextCursor` is null on the last page. */
export function toOrderPageView(page: { orders: readonly orderV1.Order[]; nextPageToken: string }, viewer: Role) {
  return {
    items: page.orders.map((o) => toOrderView(o, viewer)),
    nextCursor: page.nextPageToken === "" ? null : page.nextPageToken,
  };
}

const nonEmpty = <K extends string>(key: K, value: string): { [P in K]?: string } =>
  (value === "" ? {} : { [key]: value }) as { [P in K]?: string };
