import {
  context,
  createContextKey,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
} from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Logger } from "pino";

/**
 * Where traces go, from the standard OpenTelemetry environment: on when an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), off otherwise and always
 * off with `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. Null means off.
 *
 * Read here rather than through each service's config schema: the `--import` register file needs it
 * before any service code loads, and the exporter reads the rest of `OTEL_EXPORTER_OTLP_*` itself.
 */
export function tracingEndpoint(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return null;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return null;
  const endpoint = (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT)?.trim();
  return endpoint ? endpoint : null;
}

interface TracingState {
  readonly tracer: Tracer;
  /** The sampler follows a remote parent's decision (the default, and every `parentbased_*` sampler). */
  readonly followsParent: boolean;
  readonly shutdown: () => Promise<void>;
}

// One tracer provider per process. While null, every helper here returns at once: with tracing off
// no SDK is loaded, no span object is made and no header is parsed.
let state: TracingState | null = null;

/** True while this process records spans. */
export const tracingActive = (): boolean => state !== null;

/** Set by the `--import` register file once pg and ioredis are instrumented (their module hooks need it). */
const HOOKS_KEY = Symbol.for("qc.telemetry.module-hooks");
export const moduleHooksInstalled = (): boolean => (globalThis as Record<symbol, unknown>)[HOOKS_KEY] === true;
export const markModuleHooksInstalled = (): void => {
  (globalThis as Record<symbol, unknown>)[HOOKS_KEY] = true;
};

export interface StartTracingOptions {
  /** `service.name` of every span, unless OTEL_SERVICE_NAME says otherwise. */
  readonly serviceName: string;
  /** Where spans go; by default OTLP/HTTP (JSON) to the endpoint of the environment. */
  readonly exporter?: SpanExporter;
  /** Export each span as it ends (tests) instead of in batches. */
  readonly exportEachSpan?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Told where traces go, and warned when database spans are missing. */
  readonly logger?: Logger;
}

export interface TracingStarted {
  readonly enabled: boolean;
  /** Whether Postgres and Redis calls become spans (the process was started with the register file). */
  readonly databaseSpans: boolean;
}

/**
 * Starts the OpenTelemetry SDK when the environment asks for traces (or an exporter is given):
 * W3C trace context, async context through AsyncLocalStorage, spans batched to the exporter. Does
 * nothing, and loads nothing, otherwise. Call once, before the service takes requests.
 */
export async function startTracing(options: StartTracingOptions): Promise<TracingStarted> {
  const env = options.env ?? process.env;
  if (state) return { enabled: true, databaseSpans: moduleHooksInstalled() };
  if (!options.exporter && tracingEndpoint(env) === null) return { enabled: false, databaseSpans: false };
  const [{ NodeTracerProvider }, { BatchSpanProcessor, SimpleSpanProcessor }, resources, { OTLPTraceExporter }] =
    await Promise.all([
      import("@opentelemetry/sdk-trace-node"),
      import("@opentelemetry/sdk-trace-base"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/exporter-trace-otlp-http"),
    ]);
  const exporter = options.exporter ?? new OTLPTraceExporter();
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ "service.name": options.serviceName }))
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win, as the specification says.
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [options.exportEachSpan ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  provider.register();
  const databaseSpans = moduleHooksInstalled();
  options.logger?.info(
    { endpoint: options.exporter ? "custom exporter" : tracingEndpoint(env), databaseSpans },
    "tracing on: spans exported over OTLP",
  );
  if (!databaseSpans)
    options.logger?.warn(
      "Postgres and Redis calls make no spans: start the process with --import @qc/platform/telemetry/register",
    );
  const sampler = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() ?? "";
  state = {
    tracer: trace.getTracer("@qc/platform"),
    followsParent: sampler === "" || sampler.startsWith("parentbased_"),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  return { enabled: true, databaseSpans };
}

/** Exports the spans still buffered and stops tracing; a no-op when tracing is off. */
export async function stopTracing(): Promise<void> {
  const current = state;
  state = null;
  await current?.shutdown();
}

/** The tracer of this process; only call while `tracingActive()`. */
export function activeTracer(): Tracer {
  if (!state) throw new Error("tracing is not started");
  return state.tracer;
}

// Where a request the sampler left out keeps its trace context instead of the active span (see `requestContext`).
const UNSAMPLED = createContextKey("qc.telemetry.unsampled");

/**
 * The context to run a request's work in, given the context its trace came from (the caller's) and
 * its server span. A sampled span becomes the active span. A span the sampler left out (most of them
 * at a 10 % ratio) does not: its trace context is kept under a key of ours, so the instrumentations
 * that only work inside a span (pg and ioredis, `requireParentSpan`) skip the request's queries
 * entirely instead of making a non-recording span per query, and `inSpan` starts nothing; the gRPC
 * client still passes the decision on (`traceparent` with flags 00, see `unsampledTrace`), which the
 * next service's parent-based sampler follows, and log lines still carry the trace id.
 */
export function requestContext(parent: Context, span: Span): Context {
  const spanContext = span.spanContext();
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== 0) return trace.setSpan(parent, span);
  return trace.deleteSpan(parent).setValue(UNSAMPLED, spanContext);
}

/**
 * The context for a call whose caller's trace (extracted into `parent`) was left out by the sampler,
 * when this process's sampler follows that decision: as `requestContext` would make for the server
 * span, without making the span (the sampler would only say no again). Undefined otherwise.
 */
export function unsampledParentContext(parent: Context): Context | undefined {
  if (!state?.followsParent) return undefined;
  const remote = trace.getSpanContext(parent);
  if (!remote?.isRemote || (remote.traceFlags & TraceFlags.SAMPLED) !== 0) return undefined;
  return trace.deleteSpan(parent).setValue(UNSAMPLED, remote);
}

/** The trace context of the unsampled request `ctx` belongs to (see `requestContext`), if it is one and no span is active. */
export function unsampledTrace(ctx: Context = context.active()): SpanContext | undefined {
  return trace.getSpan(ctx) ? undefined : (ctx.getValue(UNSAMPLED) as SpanContext | undefined);
}

/** Records an error on a span and marks the span failed. */
export function failSpan(span: Span, err: unknown): void {
  if (err instanceof Error) span.recordException(err);
  const code =
    typeof err === "object" && err !== null && "code" in err && typeof err.code === "string" ? err.code : undefined;
  span.setStatus({ code: SpanStatusCode.ERROR, message: code ?? (err instanceof Error ? err.message : String(err)) });
}

/**
 * Runs `work` inside a child span of the active one (INTERNAL by default), ending it when the work
 * settles and marking it failed when the work throws. With tracing off, or inside a request the
 * sampler left out, just runs `work`.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  if (!state || unsampledTrace()) return work();
  return state.tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work();
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * `trace_id` and `span_id` of the active span (or of the unsampled request's, see `requestContext`),
 * for a pino `mixin`: every log line written inside a request (or a saga step) carries them, so logs
 * join traces. Nothing outside a span or with tracing
 * off. A new object each time: pino merges the line's fields into it.
 */
export function traceLogFields(): Record<string, string> {
  if (!state) return {};
  const active = context.active();
  const ids = trace.getSpan(active)?.spanContext() ?? unsampledTrace(active);
  if (!ids) return {};
  const { traceId, spanId } = ids;
  return { trace_id: traceId, span_id: spanId };
}
