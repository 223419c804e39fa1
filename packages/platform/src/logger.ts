import { pino, type Logger } from "pino";
import { traceLogFields } from "./telemetry/tracing";

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
    // Inside a span (a request, a call, a saga step) every line carries trace_id and span_id.
    mixin: traceLogFields,
    redact: {
      paths: [
        "authorization",
        "*.authorization",
        "headers.authorization",
        "*.headers.authorization",
        "headers.cookie",
        "*.headers.cookie",
        "token",
        "*.token",
      ],
      remove: true,
    },
    transport: pretty
      ? { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname,service" } }
      : undefined,
  });
}
