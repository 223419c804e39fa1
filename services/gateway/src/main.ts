import { createLogger } from "@qc/platform/log";
import { announceListening } from "@qc/platform/readiness";
import { exitOnStartupError, onShutdownSignal } from "@qc/platform/shutdown";
import { Metrics, serveMetrics, startTracing } from "@qc/platform/observability";
import { buildApp } from "./app";
import { loadGatewayConfig } from "./config";

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger("gateway", config.LOG_LEVEL, config.LOG_PRETTY);
  await startTracing({ serviceName: "gateway", logger });
  // Metrics listen first: a taken METRICS_PORT fails the start before any work is done.
  const metrics = new Metrics("gateway");
  const metricsEndpoint = await serveMetrics(metrics, { host: config.GATEWAY_HOST, port: config.METRICS_PORT }, logger);
  const app = buildApp(config, { logger, metrics });
  onShutdownSignal(
    async () => {
      await app.close();
      await metricsEndpoint.close();
    },
    logger,
    config.SHUTDOWN_TIMEOUT_MS,
  );
  await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
  announceListening(config.GATEWAY_PORT);
}

main().catch(exitOnStartupError(createLogger("gateway")));
