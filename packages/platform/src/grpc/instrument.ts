import { context } from "@opentelemetry/api";
import {
  status,
  type handleUnaryCall,
  type sendUnaryData,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { RpcServerMetrics } from "../metrics/rpc.metrics";
import type { Metrics } from "../metrics/metrics";
import { endServerSpan, rpcNameOf, startServerSpan } from "../telemetry/grpc-trace";
import { tracingActive } from "../telemetry/tracing";

const codeOf = (err: unknown): status =>
  err === null || err === undefined
    ? status.OK
    : typeof (err as { code?: unknown }).code === "number"
      ? (err as { code: status }).code
      : status.UNKNOWN;

/**
 * Wraps every unary handler of a service: its latency and status code go to
 * `rpc_server_duration_seconds` (when `metrics` is given), and with tracing on it runs inside a
 * SERVER span that continues the caller's trace from the call's metadata. Streaming handlers are left
 * as they are.
 */
export function instrumentService(
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  metrics: Metrics | undefined,
): UntypedServiceImplementation {
  const rpc = metrics ? RpcServerMetrics.of(metrics) : undefined;
  const instrumented: UntypedServiceImplementation = { ...implementation };
  for (const [name, handler] of Object.entries(implementation)) {
    const method = definition[name];
    if (!method || method.requestStream || method.responseStream) continue;
    const unary = handler as handleUnaryCall<unknown, unknown>;
    const { service, method: methodName } = rpcNameOf(method.path);
    const wrapped: handleUnaryCall<unknown, unknown> = (call, callback) => {
      const started = performance.now();
      if (!tracingActive()) {
        unary(call, (err, value, trailer, flags) => {
          rpc?.observe(service, methodName, codeOf(err), (performance.now() - started) / 1000);
          callback(err, value, trailer, flags);
        });
        return;
      }
      const { span, context: spanContext } = startServerSpan(method.path, call.metadata);
      const done: sendUnaryData<unknown> = (err, value, trailer, flags) => {
        const code = codeOf(err);
        rpc?.observe(service, methodName, code, (performance.now() - started) / 1000);
        if (span) endServerSpan(span, code);
        callback(err, value, trailer, flags);
      };
      context.with(spanContext, () => unary(call, done));
    };
    instrumented[name] = wrapped;
  }
  return instrumented;
}
