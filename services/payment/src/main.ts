import { createLogger, exitOnStartupError, loadConfig, onShutdownSignal } from "@qc/platform";
import { buildApp } from "./app";
import { paymentConfigSchema } from "./config";

async function main(): Promise<void> {
  const config = loadConfig(paymentConfigSchema);
  const logger = createLogger("payment", config.LOG_LEVEL, config.LOG_PRETTY);
  const app = await buildApp(config, { logger });
  onShutdownSignal(() => app.stop(), logger, config.SHUTDOWN_TIMEOUT_MS);
  logger.info({ port: app.port }, "payment service listening");
}

main().catch(exitOnStartupError(createLogger("payment")));
