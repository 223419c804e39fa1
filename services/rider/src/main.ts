import { createLogger, exitOnStartupError, onShutdownSignal } from "@qc/platform";
import { buildApp } from "./app";
import { loadRiderConfig } from "./config";

async function main(): Promise<void> {
  const config = loadRiderConfig();
  const logger = createLogger("rider", config.LOG_LEVEL, config.LOG_PRETTY);
  const app = await buildApp(config, { logger });
  onShutdownSignal(app.stop, logger, config.SHUTDOWN_TIMEOUT_MS);
}

// A bad environment fails before the configured logger exists, so startup errors get a plain one.
main().catch(exitOnStartupError(createLogger("rider")));
