import { createLogger, exitOnStartupError, onShutdownSignal } from "@qc/platform";
import { buildApp } from "./app";
import { loadGatewayConfig } from "./config";

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger("gateway", config.LOG_LEVEL, config.LOG_PRETTY);
  const app = buildApp(config, { logger });
  onShutdownSignal(() => app.close(), logger, config.SHUTDOWN_TIMEOUT_MS);
  await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
}

main().catch(exitOnStartupError(createLogger("gateway")));
