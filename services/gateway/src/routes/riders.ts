import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { forbidden } from "../auth/auth.errors";
import { principalOf } from "../auth/authorize";
import { toNearbyRequest } from "../http/nearby-request";
import { described } from "../http/openapi";
import { problemResponses } from "../http/problem.schema";
import { OrderSchema } from "../http/order.schema";
import { toOrderView } from "../http/order-view";
import { LocationBodySchema, NearbyQuerySchema, NearbyRidersSchema, RiderIdParamsSchema } from "../http/rider.schema";
import { bearer, type RouteDeps } from "./route-deps";

/** Riders report where they are; operations staff look for riders near a point. */
export const riderRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { upstreams, authorize }) => {
  /** Before validation: another rider's id is refused whatever the request says. */
  const onlyOwn = (what: string) => async (request: FastifyRequest) => {
    const { id } = request.params as { readonly id?: unknown };
    if (principalOf(request).subject !== id) throw forbidden(`a rider may only ${what}`);
  };

  app.put(
    "/v1/riders/:id/location",
    {
      onRequest: authorize("rider"),
      preValidation: onlyOwn("report their own location"),
      schema: {
        tags: ["riders"],
        summary: "Report the calling rider's location and availability",
        operationId: "updateRiderLocation",
        security: bearer("rider"),
        params: RiderIdParamsSchema,
        body: LocationBodySchema,
        response: {
          204: described(Type.Null(), "recorded"),
          ...problemResponses(400, 401, 403, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      const { lat, lon, available } = request.body;
      await upstreams.rider.call.updateLocation({ riderId: request.params.id, lat, lon, available });
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/v1/riders/:id/assignment",
    {
      onRequest: authorize("rider"),
      preValidation: onlyOwn("read their own assignment"),
      schema: {
        tags: ["riders"],
        summary: "The order the calling rider carries now, with its delivery point",
        operationId: "getRiderAssignment",
        description: "The CONFIRMED order assigned to the rider (one at most); 204 when they carry none.",
        security: bearer("rider"),
        params: RiderIdParamsSchema,
        response: {
          200: described(OrderSchema, "the order the rider carries"),
          204: described(Type.Null(), "the rider carries no order"),
          ...problemResponses(400, 401, 403, 503),
        },
      },
    },
    async (request, reply) => {
      const { order } = await upstreams.order.call.getRiderAssignment({ riderId: request.params.id });
      if (order === undefined) return reply.code(204).send(null);
      return toOrderView(order, "rider");
    },
  );

  app.get(
    "/v1/riders/nearby",
    {
      onRequest: authorize("admin"),
      schema: {
        tags: ["riders"],
        summary: "Riders within radiusKm of a point, nearest first (admin)",
        operationId: "listNearbyRiders",
        security: bearer("admin"),
        querystring: NearbyQuerySchema,
        response: { 200: NearbyRidersSchema, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { riders } = await upstreams.rider.call.nearby(toNearbyRequest(request.query));
      // The rider service answers nearest first; the order is kept as it is.
      return { items: riders.map(({ riderId, distanceKm }) => ({ riderId, distanceKm })) };
    },
  );
};
