import { createLogger, exitOnStartupError, loadConfig, onShutdownSignal } from "@qc/platform";
import { buildApp } from "./app";
import { orderConfigSchema } from "./config";

const bootLogger = createLogger("order");
try {
  const config = loadConfig(orderConfigSchema);
  const logger = createLogger("order", config.LOG_LEVEL, config.LOG_PRETTY);
  const app = await buildApp(config, { logger });
  onShutdownSignal(() => app.stop(), logger, config.SHUTDOWN_TIMEOUT_MS);
} catch (err) {
  exitOnStartupError(bootLogger)(err);
}
