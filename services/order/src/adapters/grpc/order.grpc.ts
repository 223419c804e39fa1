import { orderV1 } from "@qc/contracts";
import { implement, type Handlers } from "@qc/platform/grpc";
import { currentDeadline } from "@qc/platform/overload";
import type { BreakerRegistry } from "@qc/platform/resilience";
import type { Logger } from "pino";
import type { DeadLetter } from "../../app/dead-letter.repository.port";
import type { BatchGetOrders } from "../../app/batch-get-orders.use-case";
import type { DeadLetters } from "../../app/dead-letters.use-case";
import type { OrderWatch } from "../../app/order-watch.use-case";
import type { CreateOrder } from "../../app/create-order.use-case";
import type { GetOrder } from "../../app/get-order.use-case";
import type { ListOrders } from "../../app/list-orders.use-case";
import type { OrderPage, SearchOrders } from "../../app/search-orders.use-case";
import type { RiderDispatch } from "../../app/rider-dispatch.use-case";
import type { Order, OrderStatus } from "../../domain/order";
import { orderErrors } from "../../domain/order.errors";

const statusToProto: Record<OrderStatus, orderV1.OrderStatus> = {
  PENDING: orderV1.OrderStatus.ORDER_STATUS_PENDING,
  CONFIRMED: orderV1.OrderStatus.ORDER_STATUS_CONFIRMED,
  FAILED: orderV1.OrderStatus.ORDER_STATUS_FAILED,
  DELIVERED: orderV1.OrderStatus.ORDER_STATUS_DELIVERED,
};

export function orderToProto(o: Order): orderV1.Order {
  return {
    id: o.id,
    customerId: o.customerId,
    status: statusToProto[o.status],
    items: o.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, priceCents: l.priceCents })),
    totalCents: o.totalCents,
    currency: o.currency,
    failureReason: o.failureReason ?? "",
    riderId: o.riderId ?? "",
    deliveryLocation: o.deliveryLocation ?? undefined,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
    history: o.history.map((h) => ({
      step: h.step,
      outcome: h.outcome,
      code: h.code,
      detail: h.detail,
      at: h.at.toISOString(),
    })),
  };
}

/** A status filter from the wire: UNSPECIFIED matches any status; a number no status has is refused. */
function statusFilterOf(status: orderV1.OrderStatus): OrderStatus | null {
  if (status === orderV1.OrderStatus.ORDER_STATUS_UNSPECIFIED) return null;
  const found = (Object.keys(statusToProto) as OrderStatus[]).find((s) => statusToProto[s] === status);
  if (found === undefined) throw orderErrors.invalidStatus();
  return found;
}

const toPage = (page: OrderPage) => ({ orders: page.orders.map(orderToProto), nextPageToken: page.nextPageToken });

const deadLetterToProto = (d: DeadLetter): orderV1.DeadLetter => ({
  id: d.id,
  orderId: d.orderId,
  step: d.step,
  error: d.error,
  attempts: d.attempts,
  status: d.status,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
  nextAttemptAt: d.nextAttemptAt.toISOString(),
});

/** The use cases that place and read orders, one per RPC. */
export interface OrderUseCases {
  readonly createOrder: Pick<CreateOrder, "execute">;
  readonly getOrder: Pick<GetOrder, "execute">;
  readonly batchGetOrders: Pick<BatchGetOrders, "execute">;
  readonly listOrders: Pick<ListOrders, "execute">;
  readonly searchOrders: Pick<SearchOrders, "execute">;
}

/** Decode → use case → encode; no rules here. */
export function orderGrpcService(
  orders: OrderUseCases,
  watch: OrderWatch,
  dispatch: RiderDispatch,
  deadLetters: DeadLetters,
  breakers: BreakerRegistry,
  maxWaitMs: number,
  logger: Logger,
) {
  const handlers: Handlers<typeof orderV1.OrderServiceService> = {
    createOrder: async (req) => {
      const { order, replayed } = await orders.createOrder.execute(
        {
          customerId: req.customerId,
          lines: req.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
          deliveryLocation: req.deliveryLocation ?? null,
          idempotencyKey: req.idempotencyKey === "" ? null : req.idempotencyKey,
          requestHash: req.requestHash,
        },
        Math.min(Math.max(req.waitMs, 0), maxWaitMs),
        currentDeadline(),
      );
      return { order: orderToProto(order), replayed };
    },
    getOrder: async (req) => ({ order: orderToProto(await orders.getOrder.execute(req.id)) }),
    batchGetOrders: async (req) => ({ orders: (await orders.batchGetOrders.execute(req.ids)).map(orderToProto) }),
    listOrders: async (req) => toPage(await orders.listOrders.execute(req.customerId, req.pageSize, req.pageToken)),
    searchOrders: async (req) => {
      const filter = { customerId: req.customerId === "" ? null : req.customerId, status: statusFilterOf(req.status) };
      return toPage(await orders.searchOrders.execute(filter, req.pageSize, req.pageToken));
    },
    markDelivered: async (req) => ({ order: orderToProto(await dispatch.markDelivered(req.orderId, req.riderId)) }),
    listDeadLetters: async (req) => ({
      deadLetters: (
        await deadLetters.list(req.status === "resolved" ? "resolved" : req.status === "all" ? null : "open")
      ).map(deadLetterToProto),
    }),
    replayDeadLetter: async (req) => ({ deadLetter: deadLetterToProto(await deadLetters.replay(req.id)) }),
    listCircuitBreakers: async () => ({ breakers: breakers.list() }),
    getRiderAssignment: async (req) => {
      const order = await dispatch.assignmentOf(req.riderId);
      return { order: order === null ? undefined : orderToProto(order) };
    },
    watchOrder: async function* (req, signal) {
      for await (const { order, version } of watch.watch(req.orderId, signal))
        yield { order: orderToProto(order), version };
    },
  };
  return {
    definition: orderV1.OrderServiceService,
    implementation: implement(orderV1.OrderServiceService, handlers, logger),
  };
}
