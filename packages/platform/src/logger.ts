import { pino, type Logger } from "pino";

export type { Logger };

/**
 * JSON logs, one line per event. Pretty output only when a person is watching a terminal
 * (LOG_PRETTY=1, set by `npm start` when stdout is a TTY), never in production pipelines.
 */
export function createLogger(service: string, level: string = "info", pretty = false): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: ["authorization", "*.authorization", "headers.authorization", "token"], remove: true },
    transport: pretty ? { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname,service" } } : undefined,
  });
}
