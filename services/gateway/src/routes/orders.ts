import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { orderV1 } from "@qc/contracts";
import { withDeadline } from "@qc/platform/overload";
import { principalOf } from "../auth/authorize";
import type { Principal } from "../auth/principal";
import {
  CreateOrderBodySchema,
  IdempotencyHeadersSchema,
  OrderIdParamsSchema,
  OrderPageSchema,
  OrderSchema,
  type OrderView,
} from "../http/order.schema";
import { asOrderNotFound, visibleOrder } from "../http/order-access";
import { createdOrderStatus } from "../http/order-outcome";
import { toCreateOrderRequest } from "../http/order-request";
import { toOrderPageView, toOrderView } from "../http/order-view";
import { described } from "../http/openapi";
import { recordUpstreamTiming } from "../http/server-timing";
import { PageQuerySchema, pageSize } from "../http/page.schema";
import { problemResponses } from "../http/problem.schema";
import { required } from "../http/upstream-answer";
import type { OrderCalls } from "../upstreams";
import { bearer, type RouteDeps } from "./route-deps";

export interface OrderRouteDeps extends RouteDeps {
  /** How long CreateOrder waits for the saga before the gateway answers 202 PENDING. */
  readonly orderWaitMs: number;
  /**
   * The deadline of POST /v1/orders, from the request's arrival: CreateOrder carries it to the order
   * service, which takes no order it cannot take before it (and answers before it).
   */
  readonly orderDeadlineMs: number;
}

const orderLocation = (id: string): string => `/v1/orders/${encodeURIComponent(id)}`;

export const orderRoutes: FastifyPluginAsyncTypebox<OrderRouteDeps> = async (
  app,
  { upstreams, authorize, orderWaitMs, orderDeadlineMs },
) => {
  app.post(
    "/v1/orders",
    {
      onRequest: authorize("customer"),
      schema: {
        tags: ["orders"],
        summary: "Place an order and wait briefly for its saga",
        operationId: "createOrder",
        security: bearer("customer"),
        headers: IdempotencyHeadersSchema,
        body: CreateOrderBodySchema,
        response: {
          201: described(OrderSchema, "CONFIRMED; Location names the order"),
          202: described(OrderSchema, "PENDING: the saga is still running; poll Location"),
          ...problemResponses(400, 401, 402, 403, 409, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const customer = principalOf(request);
      const key = request.headers["idempotency-key"];
      const arrivedAt = Date.now() - reply.elapsedTime;
      const created = await withDeadline(arrivedAt + orderDeadlineMs, () =>
        upstreams.order.call.createOrder(toCreateOrderRequest(customer.subject, request.body, key, orderWaitMs), {
          onServerTiming: recordUpstreamTiming(reply, "order"),
        }),
      );
      const order = toOrderView(required(created.order, "order"), customer.role);
      // Set before the status is decided, so a replayed failure says it is a replay too.
      if (created.replayed) void reply.header("idempotent-replayed", "true");
      const status = createdOrderStatus(order);
      return reply.code(status).header("location", orderLocation(order.id)).send(order);
    },
  );

  app.get(
    "/v1/orders/:id",
    {
      onRequest: authorize("customer", "admin"),
      schema: {
        tags: ["orders"],
        summary: "Get an order (its customer, or an admin)",
        operationId: "getOrder",
        security: bearer("customer", "admin"),
        params: OrderIdParamsSchema,
        response: { 200: OrderSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => visibleOrderById(upstreams.order.call, request.params.id, principalOf(request)),
  );

  app.get(
    "/v1/orders",
    {
      onRequest: authorize("customer"),
      schema: {
        tags: ["orders"],
        summary: "The caller's own orders, newest first",
        operationId: "listMyOrders",
        security: bearer("customer"),
        querystring: PageQuerySchema,
        response: { 200: OrderPageSchema, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await upstreams.order.call.listOrders({
        customerId: principalOf(request).subject,
        pageSize: pageSize(limit),
        pageToken: cursor ?? "",
      });
      return toOrderPageView(page, "customer");
    },
  );

  app.post(
    "/v1/orders/:id/delivered",
    {
      onRequest: authorize("rider"),
      schema: {
        tags: ["orders"],
        summary: "The assigned rider hands the order over; the rider is free again",
        operationId: "markOrderDelivered",
        description:
          "Repeating it returns the DELIVERED order again. 404 ORDER_NOT_FOUND when the order is missing or " +
          "assigned to another rider; 409 ORDER_NOT_DELIVERABLE when it is not CONFIRMED.",
        security: bearer("rider"),
        params: OrderIdParamsSchema,
        response: {
          200: described(OrderSchema, "the order, DELIVERED"),
          ...problemResponses(400, 401, 403, 404, 409, 503),
        },
      },
    },
    async (request) => {
      // The order service checks the rider: someone else's order is reported like a missing one.
      const { order } = await upstreams.order.call.markDelivered({
        orderId: request.params.id,
        riderId: principalOf(request).subject,
      });
      return toOrderView(required(order, "order"), "rider");
    },
  );
};

/** The order if the caller may see it (see order-access.ts). */
async function visibleOrderById(orders: OrderCalls, id: string, caller: Principal): Promise<OrderView> {
  let order: orderV1.Order;
  try {
    order = required((await orders.getOrder({ id })).order, "order");
  } catch (err) {
    throw asOrderNotFound(err, id);
  }
  return visibleOrder(order, caller, id);
}
