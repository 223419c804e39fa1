import pino from "pino";
import { describe, expect, it } from "vitest";
import { logProblem } from "./error-handlers";
import { toProblem } from "./problem";
import { AppError } from "@qc/platform/errors";

/** A logger that records the level of each line it would write. */
function recordingLogger() {
  const levels: string[] = [];
  const stream = {
    write: (line: string) => void levels.push(pino.levels.labels[(JSON.parse(line) as { level: number }).level]!),
  };
  return { levels, log: pino({ level: "trace" }, stream) };
}

describe("logProblem", () => {
  it("logs an answer refused by an open breaker at debug only: the breaker's state change is the warning, and the fast failure stays fast", () => {
    const { levels, log } = recordingLogger();
    const err = new AppError("unavailable", "CIRCUIT_OPEN", "Circuit Open: order is unavailable");
    logProblem(log, toProblem(err, "/v1/orders"), err);
    expect(levels).toEqual(["debug"]);
  });

  it("warns of any other unavailable dependency, one line per request", () => {
    const { levels, log } = recordingLogger();
    const err = new AppError("unavailable", "SERVICE_UNAVAILABLE", "connect ECONNREFUSED 127.0.0.1:50051");
    logProblem(log, toProblem(err, "/v1/orders"), err);
    expect(levels).toEqual(["warn"]);
  });
});
