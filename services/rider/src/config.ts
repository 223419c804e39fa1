import {
  booleanOr,
  loadConfig,
  optionalRedisUrl,
  redisKeyPrefix,
  logLevel,
  metricsPort,
  numberOr,
  port,
  positiveInt,
  stringOr,
} from "@qc/platform/config";
import { grpcTlsConfig } from "@qc/platform/grpc";
import { shutdownTimeoutMs } from "@qc/platform/runtime-config";
import * as v from "valibot";

/** Environment of the rider service, keyed by variable name. */
export const riderConfigSchema = v.object({
  // Unset (or empty, as compose files often leave it) runs the in-process index instead of Redis.
  REDIS_URL: optionalRedisUrl,
  REDIS_KEY_PREFIX: redisKeyPrefix,
  // Connect and command deadline: a Redis that does not answer within it counts as unavailable.
  REDIS_TIMEOUT_MS: positiveInt(1_000),
  // Loopback by default so a developer's machine does not expose the service; set 0.0.0.0 in containers.
  RIDER_HOST: stringOr("127.0.0.1"),
  RIDER_PORT: port(50054),
  // Prometheus /metrics on its own port (0: a free one, -1: none).
  METRICS_PORT: metricsPort(9464),
  RIDER_STALE_MS: positiveInt(60_000),
  RIDER_ASSIGN_RADIUS_KM: v.pipe(numberOr(10), v.gtValue(0, "expected a positive number"), v.maxValue(50)),
  // How long a released order is remembered (Redis: the order hash's TTL; in memory: until then, or a
  // restart). Within it a repeated Release (a retry whose answer was lost) answers released; after
  // it the order is unknown, released only if the caller names its rider. It must
  // outlast the order service's retries and dead-letter redrive of a release (seconds to minutes).
  RIDER_RELEASED_RETENTION_MS: positiveInt(24 * 60 * 60 * 1_000),
  SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs,
  /** Mutual TLS for gRPC (all three, or none for plaintext); checked and read by `grpcTransport`. */
  ...grpcTlsConfig,
  LOG_LEVEL: logLevel,
  LOG_PRETTY: booleanOr(false),
});

export type RiderConfig = v.InferOutput<typeof riderConfigSchema>;

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadRiderConfig(env: NodeJS.ProcessEnv = process.env): Readonly<RiderConfig> {
  return loadConfig(riderConfigSchema, env);
}
