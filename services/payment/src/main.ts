import { createLogger } from "@qc/platform/log";
import { announceListening } from "@qc/platform/readiness";
import { exitOnStartupError, onShutdownSignal } from "@qc/platform/shutdown";
import { Metrics, serveMetrics, startTracing } from "@qc/platform/observability";
import { buildApp } from "./app";
import { loadPaymentConfig } from "./config";

async function main(): Promise<void> {
  const config = loadPaymentConfig();
  const logger = createLogger("payment", config.LOG_LEVEL, config.LOG_PRETTY);
  await startTracing({ serviceName: "payment", logger });
  // Metrics listen first: a taken METRICS_PORT fails the start before any work is done.
  const metrics = new Metrics("payment");
  const metricsEndpoint = await serveMetrics(metrics, { host: config.PAYMENT_HOST, port: config.METRICS_PORT }, logger);
  const app = await buildApp(config, { logger, metrics });
  onShutdownSignal(
    async () => {
      await app.stop();
      await metricsEndpoint.close();
    },
    logger,
    config.SHUTDOWN_TIMEOUT_MS,
  );
  announceListening(app.port);
  logger.info({ port: app.port }, "payment service listening");
}

// A bad environment fails before the configured logger exists, so startup errors get a plain one.
main().catch(exitOnStartupError(createLogger("payment")));
