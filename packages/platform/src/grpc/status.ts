import { Metadata, status, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { isConnectionError } from "../db/connection-errors";
import { AppError, CIRCUIT_OPEN, isAppError, OVERLOADED, type ErrorKind } from "../errors";

/** Trailing-metadata key that carries an error's stable code across the wire. */
export const ERROR_CODE_KEY = "qc-error-code";

// The one table between error kinds and gRPC status codes, both ways.
const statusOfKind: Record<ErrorKind, status> = {
  invalid: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  conflict: status.ALREADY_EXISTS,
  refused: status.FAILED_PRECONDITION,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

function kindOfStatus(code: status): ErrorKind {
  switch (code) {
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
      return "invalid";
    case status.NOT_FOUND:
      return "not_found";
    case status.ALREADY_EXISTS:
    case status.ABORTED:
      return "conflict";
    case status.FAILED_PRECONDITION:
      return "refused";
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
    case status.RESOURCE_EXHAUSTED:
    case status.CANCELLED:
      return "unavailable";
    default:
      return "internal";
  }
}

/** Shed calls and calls whose caller gave up: routine under load, logged at debug only. */
const QUIET_CODES = new Set([OVERLOADED, "DEADLINE_EXCEEDED"]);

/**
 * Turns anything a handler threw into a gRPC status. Known errors keep their code and message;
 * unknown ones are logged with their cause and leave as a bare INTERNAL, so no internals leak.
 */
export function toStatus(err: unknown, logger: Logger, method: string): Partial<StatusObject> {
  const metadata = new Metadata();
  if (isAppError(err)) {
    metadata.set(ERROR_CODE_KEY, err.code);
    // Shedding is routine under load: a warning per shed call would cost the CPU that shedding saves.
    if (QUIET_CODES.has(err.code)) logger.debug({ err, method }, "request shed");
    // Refused at once by an open breaker: its opening was logged (a warning per state change), and a
    // warning per refused call, its stack source-mapped, would cost more than the fast failure itself.
    else if (err.code === CIRCUIT_OPEN)
      logger.debug({ code: err.code, method, detail: err.message }, "request refused by an open circuit breaker");
    else if (err.kind === "internal" || err.kind === "unavailable") logger.warn({ err, method }, "request failed");
    // A shed answer is RESOURCE_EXHAUSTED for any gRPC client: the server is up, it is busy.
    const code = err.code === OVERLOADED ? status.RESOURCE_EXHAUSTED : statusOfKind[err.kind];
    return { code, details: err.message, metadata };
  }
  if (isConnectionError(err)) {
    logger.warn({ err, method }, "database unavailable");
    metadata.set(ERROR_CODE_KEY, "DATABASE_UNAVAILABLE");
    return { code: status.UNAVAILABLE, details: "database unavailable", metadata };
  }
  logger.error({ err, method }, "unexpected error");
  metadata.set(ERROR_CODE_KEY, "INTERNAL");
  return { code: status.INTERNAL, details: "internal error", metadata };
}

/** An error a remote service answered with (or the transport produced), as an AppError. */
export class RemoteError extends AppError {
  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    readonly grpcStatus: status,
    options: { cause?: unknown; sentByServer?: boolean } = {},
  ) {
    super(kind, code, message, { cause: options.cause });
    this.sentByServer = options.sentByServer ?? true;
  }

  /** True when the remote service itself answered with this code (it is up and reachable). */
  readonly sentByServer: boolean;
}

const isServiceError = (e: unknown): e is ServiceError =>
  e instanceof Error && typeof (e as Partial<ServiceError>).code === "number" && "metadata" in e;

export function fromServiceError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (!isServiceError(err)) return new AppError("internal", "INTERNAL", "unexpected client error", { cause: err });
  return fromStatus(err, err);
}

/**
 * A call's failed status as an AppError: the stable code its server sent, or one named after the
 * status; its cause is the status itself (code, details and trailing metadata as they came), unless
 * given. It has no stack: built where the answer arrives, it would show only the transport's frames,
 * and capturing one would cost more than the rest of a refused call.
 */
export function fromStatus(failed: StatusObject, cause: unknown = failed): RemoteError {
  const sent = failed.metadata.get(ERROR_CODE_KEY)[0];
  const kind = kindOfFailedStatus(failed);
  const code = typeof sent === "string" ? sent : kind === "unavailable" ? "SERVICE_UNAVAILABLE" : status[failed.code];
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new RemoteError(kind, code, failed.details || status[failed.code], failed.code, {
      cause,
      sentByServer: typeof sent === "string",
    });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** Codes gRPC itself answers with when our handler never ran (see `kindOfFailedStatus`). */
const TRANSPORT_CODES = new Set([status.INTERNAL, status.UNKNOWN, status.UNIMPLEMENTED]);

/**
 * Our servers send a stable code with every error they answer. INTERNAL, UNKNOWN or UNIMPLEMENTED
 * without one comes from gRPC itself (a stream reset under load, a connection dropped mid-call, a
 * server there that lacks the method: another service on the address, an older version mid-rollout):
 * the target cannot serve this call now, which is a dependency failure (503), not a bug (500).
 */
function kindOfFailedStatus(err: StatusObject): ErrorKind {
  const fromTransport = err.metadata.get(ERROR_CODE_KEY).length === 0 && TRANSPORT_CODES.has(err.code);
  return fromTransport ? "unavailable" : kindOfStatus(err.code);
}

/** A failure of the transport or of a dependency: worth retrying, and counted by circuit breakers. */
export const isTransient = (e: unknown): boolean => {
  if (e instanceof RemoteError) return e.kind === "unavailable";
  return isServiceError(e) && kindOfFailedStatus(e) === "unavailable";
};

/**
 * Codes a reachable service answers with when one of *its* dependencies is down, or when it sheds
 * load: it answered, so it is alive.
 */
const ANSWERED_BY_A_LIVE_TARGET = new Set(["CIRCUIT_OPEN", "SERVICE_UNAVAILABLE", OVERLOADED]);

/**
 * A failure that says the target itself is unhealthy: transient, and not a healthy service reporting
 * that its own dependency is down (that must open the breaker in front of the dependency, not this
 * one) or that it is busy and shed the call.
 */
export const isTargetFailure = (e: unknown): boolean =>
  isTransient(e) && !(e instanceof RemoteError && e.sentByServer && ANSWERED_BY_A_LIVE_TARGET.has(e.code));

/** The call's deadline passed before the target answered (the target may be dead, or only busy). */
export const isDeadlineExceeded = (e: unknown): boolean =>
  (e instanceof RemoteError && e.grpcStatus === status.DEADLINE_EXCEEDED) ||
  (isServiceError(e) && e.code === status.DEADLINE_EXCEEDED);

/** True when the target itself answered the call (with any error of its own): it is up and reachable. */
export const answeredByTarget = (e: unknown): boolean => e instanceof RemoteError && e.sentByServer;
