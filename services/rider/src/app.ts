import { grpcTransport, startGrpcServer } from "@qc/platform/grpc";
import { HealthService, serviceNameOf } from "@qc/platform/health";
import { createLogger, type Logger } from "@qc/platform/log";
import type { Metrics } from "@qc/platform/observability";
import { riderGrpcService, type RiderUseCases } from "./adapters/grpc/rider.grpc";
import { MemoryRiderIndex } from "./adapters/memory/rider-index.repository";
import { createRedis, untilReady } from "@qc/platform/redis";
import { RedisRiderIndex } from "./adapters/redis/rider-index.repository";
import type { RiderIndex } from "./app/rider-index.port";
import { riderUseCases } from "./app/rider-use-cases";
import type { RiderConfig } from "./config";

export { loadRiderConfig, type RiderConfig } from "./config";

/** The use cases by name, for in-process callers and tests; the gRPC server calls the same ones. */
export interface RiderApp extends RiderUseCases {
  /** Where riders are kept: Redis when REDIS_URL is set, this process's memory otherwise. */
  readonly mode: "redis" | "memory";
  /** The port the gRPC server is bound to (the real one when RIDER_PORT is 0). */
  readonly port: number;
  /** Reports NOT_SERVING, stops the gRPC server (in-flight calls finish first), then disconnects from Redis. */
  readonly stop: () => Promise<void>;
}

/** The composition root: rider index (Redis or memory) → use cases → gRPC server. */
export async function buildApp(
  config: Readonly<RiderConfig>,
  overrides: { logger?: Logger; metrics?: Metrics } = {},
): Promise<RiderApp> {
  const logger = overrides.logger ?? createLogger("rider", config.LOG_LEVEL, config.LOG_PRETTY);
  // Before anything is opened: bad TLS settings stop the start.
  const transport = grpcTransport(config);
  const releasedRetentionMs = config.RIDER_RELEASED_RETENTION_MS;
  const redis =
    config.REDIS_URL === undefined ? undefined : createRedis(config.REDIS_URL, config.REDIS_TIMEOUT_MS, logger);
  try {
    const index: RiderIndex = redis
      ? new RedisRiderIndex(redis, { keyPrefix: config.REDIS_KEY_PREFIX, releasedRetentionMs })
      : new MemoryRiderIndex({ releasedRetentionMs });
    // A Redis that is down at start is not fatal: calls answer UNAVAILABLE until it is back.
    if (redis && !(await untilReady(redis, config.REDIS_TIMEOUT_MS)))
      logger.warn("redis not reachable yet; answering UNAVAILABLE until it is");
    const policy = { staleMs: config.RIDER_STALE_MS, assignRadiusKm: config.RIDER_ASSIGN_RADIUS_KM };
    const riders: RiderUseCases = riderUseCases(index, policy);
    const grpcService = riderGrpcService(riders, logger);
    // With Redis, riders live there: while it does not answer, no call can, so the service is NOT_SERVING.
    const health = new HealthService({
      services: [serviceNameOf(grpcService.definition)],
      probes: redis
        ? {
            redis: () =>
              redis.ping().then(
                () => true,
                () => false,
              ),
          }
        : {},
      logger,
    });
    await health.start();
    const server = await startGrpcServer([grpcService, health.grpcService], config.RIDER_HOST, config.RIDER_PORT, {
      transport,
      metrics: overrides.metrics,
    });
    const mode = redis ? "redis" : "memory";
    logger.info({ host: config.RIDER_HOST, port: server.port, mode }, `rider listening; riders kept in ${mode}`);
    return {
      ...riders,
      mode,
      port: server.port,
      stop: async () => {
        health.shutdown();
        await server.stop(config.SHUTDOWN_TIMEOUT_MS / 2);
        redis?.disconnect();
      },
    };
  } catch (err) {
    redis?.disconnect();
    throw err;
  }
}
