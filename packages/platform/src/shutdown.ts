import type { Logger } from "pino";
import { stopTracing } from "./telemetry/tracing";

/**
 * Runs `stop` once on SIGINT/SIGTERM, exports the spans still buffered (when tracing), then exits: 0
 * when it finished within `timeoutMs`, 1 otherwise.
 */
export function onShutdownSignal(stop: () => Promise<void>, logger: Logger, timeoutMs = 10_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop()
      .then(() => stopTracing().catch((err: unknown) => logger.warn({ err }, "could not export the last spans")))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGINT", handle);
  process.once("SIGTERM", handle);
}

/** Logs a startup failure (config errors included) as one clear line and exits non-zero. */
export function exitOnStartupError(logger: Logger) {
  return (err: unknown): never => {
    logger.fatal({ err }, err instanceof Error ? err.message : "startup failed");
    process.exit(1);
  };
}
