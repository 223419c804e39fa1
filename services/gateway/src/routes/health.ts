import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ProblemError } from "../http/problem";
import { problemResponses } from "../http/problem.schema";
import { upstreamNames } from "../upstreams";
import type { RouteDeps } from "./route-deps";

// Short: a load balancer polls this, and an upstream that cannot answer a health check in 500 ms is as good as down.
const READY_TIMEOUT_MS = 500;

const StatusSchema = Type.Object({ status: Type.String({ description: "ok" }) });

export const healthRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { upstreams }) => {
  app.get(
    "/healthz",
    {
      schema: {
        tags: ["health"],
        summary: "The process is up",
        operationId: "getLiveness",
        response: { 200: StatusSchema, ...problemResponses() },
      },
    },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["health"],
        summary: "Every upstream answers its gRPC health check SERVING",
        operationId: "getReadiness",
        description:
          "Asks each upstream (order, inventory, payment, rider) for its standard grpc.health.v1 status. 503 names the ones that are " +
          "unreachable or NOT_SERVING (e.g. their database is down), and while the gateway itself is shutting down.",
        response: { 200: StatusSchema, ...problemResponses(503) },
      },
    },
    async () => {
      const health = await Promise.all(upstreamNames.map((name) => upstreams[name].health(READY_TIMEOUT_MS)));
      const down = upstreamNames.filter((_, i) => health[i] !== "SERVING");
      if (down.length > 0) {
        const detail = down.map((name) => `${name} (${health[upstreamNames.indexOf(name)]})`).join(", ");
        throw new ProblemError("unavailable", "NOT_READY", `unavailable upstreams: ${detail}`, { unavailable: down });
      }
      return { status: "ok" };
    },
  );
};
