import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span } from "@opentelemetry/api";
import { activeTracer, requestContext, tracingActive } from "./tracing";

const SERVER_SPAN = Symbol("qc.http.server-span");
type TracedRequest = IncomingMessage & { [SERVER_SPAN]?: Span };

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;
const NO_TRACE = "0".repeat(32);

/**
 * With tracing on, runs every request of `server` inside a SERVER span that continues the caller's
 * trace (W3C `traceparent` header) or starts one, and answers with `traceparent` naming that span.
 * The request and response emitters are bound to the span's context, so work done in their events
 * (body parsing, the handler after it) stays in the trace; a request the sampler leaves out runs
 * without an active span (see `requestContext`). With tracing off, leaves the server alone.
 */
export function traceHttpServer(server: Server): void {
  if (!tracingActive()) return;
  for (const listener of server.listeners("request") as RequestListener[]) {
    server.removeListener("request", listener);
    server.on("request", traced(listener));
  }
}

function traced(listener: RequestListener): RequestListener {
  return (req: TracedRequest, res: ServerResponse) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const method = req.method ?? "GET";
    const span = activeTracer().startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: { "http.request.method": method, "url.path": (req.url ?? "/").split("?")[0], "url.scheme": "http" },
      },
      parent,
    );
    req[SERVER_SPAN] = span;
    const spanContext = requestContext(parent, span);
    context.bind(spanContext, req);
    context.bind(spanContext, res);
    const { traceId, spanId, traceFlags } = span.spanContext();
    res.setHeader("traceparent", `00-${traceId}-${spanId}-0${traceFlags & 1}`);
    res.once("close", () => {
      span.setAttribute("http.response.status_code", res.statusCode);
      if (!res.writableFinished)
        span.setStatus({ code: SpanStatusCode.ERROR, message: "connection closed before the answer was sent" });
      else if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(spanContext, () => listener(req, res));
  };
}

/** Names a request's span after its route pattern (`POST /v1/orders/:id`) once the router knows it. */
export function nameHttpSpan(req: IncomingMessage, method: string, route: string | undefined): void {
  const span = (req as TracedRequest)[SERVER_SPAN];
  if (!span || !route) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute("http.route", route);
}

/**
 * The W3C trace id of a request: its span's with tracing on; with tracing off the caller's (from a
 * valid `traceparent`), or a new random one. Used as the request id, so it is on the gateway's log
 * lines and in the `x-trace-id` answer header either way.
 */
export function requestTraceId(req: IncomingMessage): string {
  const span = (req as TracedRequest)[SERVER_SPAN];
  if (span) return span.spanContext().traceId;
  const incoming = req.headers.traceparent;
  const match = typeof incoming === "string" ? TRACEPARENT.exec(incoming.trim().toLowerCase()) : null;
  // A v4 UUID's 122 random bits as 32 hex digits: from Node's buffered entropy, far cheaper per
  // request than randomBytes(16); the last 7 bytes, which samplers read, are all random.
  return match?.[1] && match[1] !== NO_TRACE ? match[1] : randomUUID().replaceAll("-", "");
}
