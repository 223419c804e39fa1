import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ProblemError } from "../http/problem";
import { problemResponses } from "../http/problem.schema";
import { upstreamNames } from "../upstreams";
import type { RouteDeps } from "./route-deps";

// Short: a load balancer polls this, and a channel that cannot connect in 300 ms is as good as down.
const READY_TIMEOUT_MS = 300;

const StatusSchema = Type.Object({ status: Type.String({ description: "ok" }) });

export const healthRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { upstreams }) => {
  app.get(
    "/healthz",
    { schema: { tags: ["health"], summary: "The process is up", response: { 200: StatusSchema, ...problemResponses() } } },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["health"],
        summary: "Every upstream channel is connected",
        response: { 200: StatusSchema, ...problemResponses(503) },
      },
    },
    async () => {
      const ready = await Promise.all(upstreamNames.map((name) => upstreams[name].isReady(READY_TIMEOUT_MS)));
      const down = upstreamNames.filter((_, i) => !ready[i]);
      if (down.length > 0) {
        throw new ProblemError("unavailable", "NOT_READY", `unavailable upstreams: ${down.join(", ")}`, { unavailable: down });
      }
      return { status: "ok" };
    },
  );
};
