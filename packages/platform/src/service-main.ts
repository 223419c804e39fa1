import { createLogger, type Logger } from "./logger";
import { Metrics } from "./metrics/metrics";
import { serveMetrics } from "./metrics/metrics-server";
import { announceListening } from "./readiness";
import { exitOnStartupError, onShutdownSignal } from "./shutdown";
import { startTracing } from "./telemetry/tracing";

/** The settings every service's `main.ts` needs, whatever else its configuration holds. */
export interface ServiceProcessConfig {
  readonly LOG_LEVEL: string;
  readonly LOG_PRETTY: boolean;
  readonly METRICS_PORT: number;
  readonly SHUTDOWN_TIMEOUT_MS: number;
}

/** A started service: the port it serves on, and how to stop it. */
export interface RunningService {
  readonly port: number;
  stop(): Promise<void>;
}

export interface ServiceMain<C extends ServiceProcessConfig> {
  readonly name: string;
  readonly loadConfig: () => C;
  /** The interface the service (and so its metrics) listens on. */
  readonly host: (config: C) => string;
  readonly start: (config: C, deps: { logger: Logger; metrics: Metrics }) => Promise<RunningService>;
}

/**
 * One service process, the same way for every service: configuration, logger, tracing, metrics, the
 * service itself, shutdown on a signal, then the announcement its supervisor waits for.
 */
export function runService<C extends ServiceProcessConfig>(service: ServiceMain<C>): void {
  const main = async (): Promise<void> => {
    const config = service.loadConfig();
    const logger = createLogger(service.name, config.LOG_LEVEL, config.LOG_PRETTY);
    await startTracing({ serviceName: service.name, logger });
    // Metrics listen first: a taken METRICS_PORT fails the start before any work is done.
    const metrics = new Metrics(service.name);
    const metricsEndpoint = await serveMetrics(
      metrics,
      { host: service.host(config), port: config.METRICS_PORT },
      logger,
    );
    const running = await service.start(config, { logger, metrics });
    onShutdownSignal(
      async () => {
        await running.stop();
        await metricsEndpoint.close();
      },
      logger,
      config.SHUTDOWN_TIMEOUT_MS,
    );
    logger.info({ port: running.port }, `${service.name} service listening`);
    announceListening(running.port);
  };
  // A bad environment fails before the configured logger exists, so startup errors get a plain one.
  main().catch(exitOnStartupError(createLogger(service.name)));
}
