import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import pino from "pino";
import { AppError } from "../errors";
import { circuitOpen } from "../resilience";
import { ERROR_CODE_KEY, fromServiceError, isTargetFailure, isTransient, toStatus } from "./status";

const serviceError = (code: status, details: string, sentCode?: string): ServiceError => {
  const metadata = new Metadata();
  if (sentCode) metadata.set(ERROR_CODE_KEY, sentCode);
  return Object.assign(new Error(details), { code, details, metadata });
};

describe("fromServiceError", () => {
  it.each([
    [
      "a stream reset under load",
      status.INTERNAL,
      "Received RST_STREAM with code 2 triggered by internal client error: Protocol error",
    ],
    ["a connection dropped mid-call", status.UNKNOWN, "Connection dropped"],
    // A server of another kind on the address (a misrouted call) or one that lacks the method (an
    // older version mid-rollout): gRPC itself answers, our handler never ran.
    [
      "a method the server there does not have",
      status.UNIMPLEMENTED,
      "The server does not implement the method /qc.order.v1.OrderService/CreateOrder",
    ],
  ])("takes %s (no code from our server) for an unavailable target, not an internal error", (_name, code, details) => {
    const err = fromServiceError(serviceError(code, details));
    expect(err).toMatchObject({ kind: "unavailable", code: "SERVICE_UNAVAILABLE" });
    expect(isTransient(err)).toBe(true);
    expect(isTargetFailure(err)).toBe(true);
  });

  it("keeps an internal error our server answered with as internal", () => {
    const err = fromServiceError(serviceError(status.INTERNAL, "internal error", "INTERNAL"));
    expect(err).toMatchObject({ kind: "internal", code: "INTERNAL" });
    expect(isTransient(err)).toBe(false);
  });
});

describe("toStatus", () => {
  const logger = pino({ level: "silent" });

  it.each([
    ["a pool whose connections are all busy", "timeout exceeded when trying to connect"],
    ["a connection the server dropped", "Connection terminated unexpectedly"],
    ["a connection that could not be made in time", "Connection terminated due to connection timeout"],
  ])("answers %s (pg's errors carry no code) UNAVAILABLE, not INTERNAL", (_name, message) => {
    const answered = toStatus(new Error(message), logger, "createOrder");
    expect(answered.code).toBe(status.UNAVAILABLE);
    expect(answered.metadata?.get(ERROR_CODE_KEY)).toEqual(["DATABASE_UNAVAILABLE"]);
  });

  /** A logger that records the level of each line it would write. */
  const recordingLogger = () => {
    const levels: string[] = [];
    const stream = {
      write: (line: string) => void levels.push(pino.levels.labels[(JSON.parse(line) as { level: number }).level]!),
    };
    return { levels, logger: pino({ level: "trace" }, stream) };
  };

  it("logs a call refused by an open breaker at debug only: the breaker's opening is logged once, and a fast failure must stay fast", () => {
    const { levels, logger: recorded } = recordingLogger();
    const answered = toStatus(circuitOpen("inventory"), recorded, "createOrder");
    expect(answered.code).toBe(status.UNAVAILABLE);
    expect(answered.metadata?.get(ERROR_CODE_KEY)).toEqual(["CIRCUIT_OPEN"]);
    expect(levels).toEqual(["debug"]);
  });

  it("still warns of any other unavailable dependency, once per call", () => {
    const { levels, logger: recorded } = recordingLogger();
    toStatus(new AppError("unavailable", "SERVICE_UNAVAILABLE", "payment is unavailable"), recorded, "createOrder");
    expect(levels).toEqual(["warn"]);
  });
});
