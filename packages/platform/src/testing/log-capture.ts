import { Writable } from "node:stream";
import { pino, type Logger, type LoggerOptions } from "pino";

/** A pino logger (with `options`) whose lines are kept, parsed, in `lines` for a test to read. */
export function capturedLogger(options: LoggerOptions = {}): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino(options, sink), lines };
}
