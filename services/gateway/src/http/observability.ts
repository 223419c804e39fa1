import type { BreakerRegistry } from "@qc/platform/resilience";
import { LATENCY_BUCKETS, nameHttpSpan, observeBreakers, type Metrics } from "@qc/platform/observability";
import type { FastifyInstance } from "fastify";

type HttpLabel = "route" | "method" | "status";

/**
 * Request metrics and trace plumbing on every answer:
 * - `http_server_duration_seconds{route, method, status}`, the route being the pattern
 *   (`/v1/orders/:id`), `unmatched` for a path no route serves, so label values stay few;
 * - `x-trace-id` on every answer: the request's W3C trace id (the request id, see `requestTraceId`);
 * - the request's span (with tracing on) named after its route;
 * - the gateway's circuit breakers as `circuit_breaker_state` and `circuit_breaker_transitions_total`.
 */
export function installObservability(
  app: FastifyInstance,
  metrics: Metrics,
  breakers: Pick<BreakerRegistry, "list"> & Partial<Pick<BreakerRegistry, "onStateChange">>,
): void {
  const duration = metrics.histogram<HttpLabel>({
    name: "http_server_duration_seconds",
    help: "Time to answer an HTTP request, by route pattern, method and status code.",
    labelNames: ["route", "method", "status"],
    buckets: LATENCY_BUCKETS,
  });
  app.addHook("onRequest", (request, _reply, done) => {
    nameHttpSpan(request.raw, request.method, request.routeOptions.url);
    done();
  });
  app.addHook("onSend", (request, reply, payload, done) => {
    void reply.header("x-trace-id", request.id);
    done(null, payload);
  });
  app.addHook("onResponse", (request, reply, done) => {
    duration.observe(
      { route: request.routeOptions.url ?? "unmatched", method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  observeBreakers(metrics, breakers);
}
