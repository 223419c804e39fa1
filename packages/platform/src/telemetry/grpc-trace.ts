import { status, type Metadata } from "@grpc/grpc-js";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";
import { activeTracer, requestContext, tracingActive, unsampledParentContext, unsampledTrace } from "./tracing";

// W3C trace context (`traceparent`, `tracestate`) travels as ordinary gRPC metadata.
const metadataGetter: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const values = metadata.get(key);
    return values.length === 0 ? undefined : values.map(String);
  },
};
const metadataSetter: TextMapSetter<Metadata> = { set: (metadata, key, value) => metadata.set(key, value) };

/** `/qc.order.v1.OrderService/CreateOrder` → service `qc.order.v1.OrderService`, method `CreateOrder`. */
export function rpcNameOf(path: string): { readonly service: string; readonly method: string } {
  const slash = path.lastIndexOf("/");
  return { service: path.slice(1, slash), method: path.slice(slash + 1) };
}

const rpcAttributes = (path: string) => {
  const { service, method } = rpcNameOf(path);
  return { "rpc.system": "grpc", "rpc.service": service, "rpc.method": method };
};

/**
 * A CLIENT span for one call attempt, child of the active span, whose context is written into the
 * call's metadata; undefined (and nothing written) with tracing off. Inside a request the sampler
 * left out, no span either: the request's trace context is written as it is ("not sampled").
 */
export function startClientSpan(path: string, metadata: Metadata, address: string): Span | undefined {
  if (!tracingActive()) return undefined;
  const unsampled = unsampledTrace();
  if (unsampled) {
    propagation.inject(trace.setSpanContext(ROOT_CONTEXT, unsampled), metadata, metadataSetter);
    return undefined;
  }
  const [host, port] = address.split(":");
  const span = activeTracer().startSpan(path.slice(1), {
    kind: SpanKind.CLIENT,
    attributes: { ...rpcAttributes(path), "server.address": host, "server.port": Number(port) },
  });
  propagation.inject(trace.setSpan(context.active(), span), metadata, metadataSetter);
  return span;
}

/** Ends a client span with the call's status code; any code but OK fails a client span. */
export function endClientSpan(span: Span, code: status): void {
  span.setAttribute("rpc.grpc.status_code", code);
  if (code !== status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: status[code] });
  span.end();
}

/**
 * The server span of one call, continuing the caller's trace, and the context to run the handler in;
 * no span when the caller's trace was left out by the sampler (see `unsampledParentContext`).
 */
export function startServerSpan(
  path: string,
  metadata: Metadata,
): { readonly span: Span | undefined; readonly context: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
  const unsampled = unsampledParentContext(parent);
  if (unsampled) return { span: undefined, context: unsampled };
  const span = activeTracer().startSpan(
    path.slice(1),
    { kind: SpanKind.SERVER, attributes: rpcAttributes(path) },
    parent,
  );
  return { span, context: requestContext(parent, span) };
}

// Codes that mean the server failed (OpenTelemetry's RPC conventions); a refusal is a correct answer.
const SERVER_FAULTS = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

export function endServerSpan(span: Span, code: status): void {
  span.setAttribute("rpc.grpc.status_code", code);
  if (SERVER_FAULTS.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: status[code] });
  span.end();
}
