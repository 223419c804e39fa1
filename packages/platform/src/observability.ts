/**
 * `@qc/platform/observability`: traces (OpenTelemetry, off unless an OTLP endpoint is set) and
 * Prometheus metrics, for the services' composition roots and adapters. The `--import` entry that
 * instruments Postgres and Redis is `@qc/platform/telemetry/register`.
 */
export * from "./telemetry/tracing";
export * from "./telemetry/http-trace";
export * from "./metrics/metrics";
export * from "./metrics/metrics-server";
export * from "./metrics/breaker.metrics";
