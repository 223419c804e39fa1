import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { orderV1 } from "@qc/contracts";
import { DEFAULT_CURRENCY } from "@qc/platform/money";
import { Type } from "typebox";
import {
  AdminOrdersQuerySchema,
  CircuitBreakersSchema,
  CreditBodySchema,
  CustomerIdParamsSchema,
  DeadLetterIdParamsSchema,
  DeadLetterSchema,
  WalletSchema,
} from "../http/admin.schema";
import { toDeadLetterView } from "../http/dead-letter-view";
import { described } from "../http/openapi";
import { OrderPageSchema } from "../http/order.schema";
import { toOrderPageView, toProtoStatus } from "../http/order-view";
import { pageSize } from "../http/page.schema";
import { problemResponses } from "../http/problem.schema";
import { RiderListQuerySchema, RiderPositionsSchema } from "../http/rider.schema";
import { CreateProductBodySchema, ProductSchema, RestockBodySchema, SkuParamsSchema } from "../http/product.schema";
import { toProductView } from "../http/product-view";
import { required } from "../http/upstream-answer";
import { bearer, type RouteDeps } from "./route-deps";

/** Operations staff only: every order, catalog, wallets, dead letters and breakers. */
export const adminRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { upstreams, authorize }) => {
  app.addHook("onRequest", authorize("admin"));

  app.get(
    "/v1/admin/orders",
    {
      schema: {
        tags: ["admin"],
        summary: "Every customer's orders, newest first; by status and customer",
        operationId: "listAllOrders",
        description: "Pages as GET /v1/orders does: pass nextCursor back as cursor (with the same filters).",
        security: bearer("admin"),
        querystring: AdminOrdersQuerySchema,
        response: { 200: OrderPageSchema, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { status, customerId, limit, cursor } = request.query;
      const page = await upstreams.order.call.searchOrders({
        customerId: customerId ?? "",
        status: status === undefined ? orderV1.OrderStatus.ORDER_STATUS_UNSPECIFIED : toProtoStatus(status),
        pageSize: pageSize(limit),
        pageToken: cursor ?? "",
      });
      return toOrderPageView(page, "admin");
    },
  );

  app.get(
    "/v1/admin/riders",
    {
      schema: {
        tags: ["admin"],
        summary: "Riders with their last positions, free or busy, most recently seen first",
        operationId: "listRiders",
        description: "Riders whose last location update is fresh (the rider service's RIDER_STALE_MS).",
        security: bearer("admin"),
        querystring: RiderListQuerySchema,
        response: { 200: RiderPositionsSchema, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { riders } = await upstreams.rider.call.listRiders({ limit: request.query.limit ?? 0 });
      return {
        items: riders.map(({ riderId, lat, lon, available, orderId, seenAt }) => ({
          riderId,
          lat,
          lon,
          available,
          busy: orderId !== "",
          ...(orderId !== "" && { orderId }),
          seenAt,
        })),
      };
    },
  );

  app.post(
    "/v1/admin/products",
    {
      schema: {
        tags: ["admin"],
        summary: "Create a product",
        operationId: "createProduct",
        security: bearer("admin"),
        body: CreateProductBodySchema,
        response: {
          201: described(ProductSchema, "created; Location names the product"),
          ...problemResponses(400, 401, 403, 409, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      const { product } = await upstreams.inventory.call.createProduct({ product: request.body });
      const created = toProductView(required(product, "product"));
      return reply.code(201).header("location", `/v1/products/${created.sku}`).send(created);
    },
  );

  app.post(
    "/v1/admin/products/:sku/restock",
    {
      schema: {
        tags: ["admin"],
        summary: "Add stock to a product",
        operationId: "restockProduct",
        security: bearer("admin"),
        params: SkuParamsSchema,
        body: RestockBodySchema,
        response: { 200: ProductSchema, ...problemResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request) => {
      const { product } = await upstreams.inventory.call.restock({
        sku: request.params.sku,
        quantity: request.body.quantity,
      });
      return toProductView(required(product, "product"));
    },
  );

  app.post(
    "/v1/admin/wallets/:customerId/credit",
    {
      schema: {
        tags: ["admin"],
        summary: "Credit a customer's balance in one currency (USD by default)",
        operationId: "creditWallet",
        security: bearer("admin"),
        params: CustomerIdParamsSchema,
        body: CreditBodySchema,
        response: { 200: WalletSchema, ...problemResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request) => {
      const { wallet } = await upstreams.payment.call.credit({
        customerId: request.params.customerId,
        amountCents: request.body.amountCents,
        currency: request.body.currency ?? DEFAULT_CURRENCY,
      });
      const { customerId, currency, balanceCents } = required(wallet, "wallet");
      return { customerId, currency, balanceCents };
    },
  );

  app.get(
    "/v1/admin/dead-letters",
    {
      schema: {
        tags: ["admin"],
        summary: "Open dead letters: compensations that could not run",
        operationId: "listDeadLetters",
        security: bearer("admin"),
        response: { 200: Type.Object({ items: Type.Array(DeadLetterSchema) }), ...problemResponses(401, 403, 503) },
      },
    },
    async () => {
      const { deadLetters } = await upstreams.order.call.listDeadLetters({ status: "" });
      return { items: deadLetters.map(toDeadLetterView) };
    },
  );

  app.post(
    "/v1/admin/dead-letters/:id/replay",
    {
      schema: {
        tags: ["admin"],
        summary: "Run a dead letter's compensation again (409 DEAD_LETTER_STILL_FAILING if it fails)",
        operationId: "replayDeadLetter",
        security: bearer("admin"),
        params: DeadLetterIdParamsSchema,
        response: {
          200: Type.Object({ deadLetter: DeadLetterSchema }),
          ...problemResponses(400, 401, 403, 404, 409, 503),
        },
      },
    },
    async (request) => {
      const { deadLetter } = await upstreams.order.call.replayDeadLetter({ id: request.params.id });
      return { deadLetter: toDeadLetterView(required(deadLetter, "dead letter")) };
    },
  );

  app.get(
    "/v1/admin/circuit-breakers",
    {
      schema: {
        tags: ["admin"],
        summary: "The gateway's circuit breakers and the order service's",
        operationId: "listCircuitBreakers",
        security: bearer("admin"),
        response: { 200: CircuitBreakersSchema, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const own = upstreams.breakers.list();
      // The breakers matter most when things are down, so an unreachable order service still gets an answer.
      const theirs = await upstreams.order.call.listCircuitBreakers({}).then(
        ({ breakers }) => breakers.map(({ caller, target, state }) => ({ caller, target, state })),
        (err: unknown) => {
          request.log.warn({ err }, "order service breakers unavailable; listing the gateway's own");
          return [];
        },
      );
      return { items: [...own, ...theirs] };
    },
  );
};
