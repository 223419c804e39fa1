import type { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { AppError } from "@qc/platform/errors";
import type { orderV1 } from "@qc/contracts";
import type { FastifyBaseLogger } from "fastify";
import { Type } from "typebox";
import { principalOf } from "../auth/authorize";
import { asOrderNotFound, visibleOrder } from "../http/order-access";
import { isTerminal, lastSeenVersion, OrderEventStream, StreamSlots } from "../http/order-events";
import { OrderIdParamsSchema, type OrderView } from "../http/order.schema";
import { problemResponses } from "../http/problem.schema";
import { required } from "../http/upstream-answer";
import { bearer, type RouteDeps } from "./route-deps";

export interface OrderEventRouteDeps extends RouteDeps {
  /** Event streams one caller may hold open at once (in this gateway process). */
  readonly streamsPerCaller: number;
  /** How often a quiet stream gets a comment line, so proxies do not close it as idle. */
  readonly heartbeatMs: number;
  /** How long the order service may take to send the order's first state. */
  readonly firstEventTimeoutMs: number;
}

/** A text/event-stream body: a string in the document, the stream that is piped out in the handler. */
const EventStreamSchema = Type.Unsafe<Readable>({
  type: "string",
  description: "text/event-stream: `id`, `event: order`, `data` (the order as JSON) per state",
});

export const ORDER_EVENTS_ROUTE = "/v1/orders/:id/events";

const EventHeadersSchema = Type.Object({
  "last-event-id": Type.Optional(
    Type.String({
      maxLength: 64,
      description: "the id of the last event received: only newer states are sent (any other value: none seen)",
    }),
  ),
});

/**
 * GET /v1/orders/{id}/events: the order's states as Server-Sent Events, from the order service's
 * WatchOrder stream (which learns of changes on any replica). The first upstream message decides the
 * answer: a problem (404 for a missing or someone else's order), 204 when the order is final and the
 * client has seen that state (it must stop coming back), else 200 and the stream, which ends after a
 * final state. A stream cut early (the order service or the gateway stopping) just ends: the client
 * comes back with Last-Event-ID.
 */
export const orderEventRoutes: FastifyPluginAsyncTypebox<OrderEventRouteDeps> = async (app, deps) => {
  const { upstreams, authorize } = deps;
  const slots = new StreamSlots(deps.streamsPerCaller);
  const open = new Set<() => void>();
  // Streams never end by themselves while their order can change: end them, or closing would wait for them.
  app.addHook("preClose", async () => {
    for (const end of [...open]) end();
  });

  app.get(
    ORDER_EVENTS_ROUTE,
    {
      onRequest: authorize("customer", "admin"),
      schema: {
        tags: ["orders"],
        summary: "Follow an order: its states as Server-Sent Events (its customer, or an admin)",
        operationId: "watchOrderEvents",
        description:
          "text/event-stream of `order` events, each the whole order as GET /v1/orders/{id} answers it, with the order's " +
          "version as its id; the stream ends after FAILED or DELIVERED. Reconnect with Last-Event-ID to get only newer " +
          "states; 204 means the order is final and that state was seen: stop. Send the token in Authorization, so read " +
          `it with fetch (EventSource cannot send headers). At most ${deps.streamsPerCaller} streams per caller (429 TOO_MANY_STREAMS).`,
        security: bearer("customer", "admin"),
        params: OrderIdParamsSchema,
        headers: EventHeadersSchema,
        response: {
          200: {
            description: "the order's states, as they change",
            content: { "text/event-stream": { schema: EventStreamSchema } },
          },
          204: { description: "the order is final and the client has seen it: do not reconnect", type: "null" },
          ...problemResponses(400, 401, 403, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const caller = principalOf(request);
      const { id } = request.params;
      const release = slots.acquire(`${caller.role}:${caller.subject}`);
      const upstream = new AbortController();
      const end = () => {
        upstream.abort();
        release();
      };
      let snapshots: AsyncIterator<orderV1.WatchOrderResponse>;
      let first: orderV1.WatchOrderResponse;
      let order: OrderView;
      try {
        const stream = upstreams.order.call.watchOrder({ orderId: id }, { signal: upstream.signal });
        snapshots = stream[Symbol.asyncIterator]();
        first = await firstOf(snapshots, deps.firstEventTimeoutMs);
        order = visibleOrder(required(first.order, "order"), caller, id);
      } catch (err) {
        end();
        throw asOrderNotFound(err, id);
      }
      const seen = lastSeenVersion(request.headers["last-event-id"]);
      if (isTerminal(order) && first.version <= seen) {
        end();
        return reply.code(204).send(null);
      }

      const stream: OrderEventStream = new OrderEventStream(seen, deps.heartbeatMs, () => {
        open.delete(stop);
        end();
      });
      const stop = () => stream.end();
      open.add(stop);
      reply.raw.once("close", stop);
      stream.send(first.version, order);
      if (isTerminal(order)) stream.end();
      else void forward(snapshots, stream, (o) => visibleOrder(o, caller, id), upstream.signal, request.log);
      return (
        reply
          .type("text/event-stream")
          .header("cache-control", "no-cache")
          // Buffering proxies (nginx) would hold the events back.
          .header("x-accel-buffering", "no")
          .send(stream.body)
      );
    },
  );
};

/**
 * Sends each further state the order service streams, until a final one; then, or when the upstream
 * stream ends or is cut (a replica stopping, the network), ends the stream: the client comes back with
 * Last-Event-ID.
 */
async function forward(
  snapshots: AsyncIterator<orderV1.WatchOrderResponse>,
  stream: OrderEventStream,
  view: (order: orderV1.Order) => OrderView,
  upstream: AbortSignal,
  log: FastifyBaseLogger,
): Promise<void> {
  try {
    for (;;) {
      const next = await snapshots.next();
      if (next.done) break;
      const order = view(required(next.value.order, "order"));
      stream.send(next.value.version, order);
      if (isTerminal(order)) break;
    }
  } catch (err) {
    if (!upstream.aborted) log.info({ err }, "order event stream cut upstream");
  } finally {
    stream.end();
  }
}

/** The stream's first message, within `timeoutMs`; a stream that ends without one was cut (503). */
async function firstOf(
  snapshots: AsyncIterator<orderV1.WatchOrderResponse>,
  timeoutMs: number,
): Promise<orderV1.WatchOrderResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError("unavailable", "DEADLINE_EXCEEDED", "the order service sent no state in time")),
      timeoutMs,
    );
  });
  try {
    const first = await Promise.race([snapshots.next(), timeout]);
    if (first.done)
      throw new AppError(
        "unavailable",
        "SERVICE_UNAVAILABLE",
        "the order service ended the watch before sending a state",
      );
    return first.value;
  } finally {
    clearTimeout(timer);
  }
}
