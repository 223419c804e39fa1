import { STATUS_CODES } from "node:http";
import { AppError, isAppError, type ErrorKind } from "@qc/platform/errors";
import { RemoteError } from "@qc/platform/grpc";
import type { Problem } from "./problem.schema";

/** Extra problem members an error can carry to the client. */
export type ProblemExtensions = Pick<Problem, "order" | "unavailable">;

/** An AppError raised by the gateway itself that carries extension members (e.g. the failed order). */
export class ProblemError extends AppError {
  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    readonly extensions: ProblemExtensions,
  ) {
    super(kind, code, message);
  }
}

export interface ProblemReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Problem;
}

/** Refused for now, welcome later: a rate limit (429), with how many seconds until it lets the caller in again. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("refused", "RATE_LIMITED", message);
  }
}

// The one table between errors and HTTP statuses.
const statusOfKind: Record<ErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  refused: 409,
  unavailable: 503,
  internal: 500,
};

// Codes that are more specific than their kind. They never override `internal` (an upstream's own
// failure stays a 500) or `not_found` (the code names the missing thing; the kind says it is missing).
const statusOfCode: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  PAYMENT_DECLINED: 402,
  FORBIDDEN: 403,
  UNKNOWN_SKU: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  // Orders that can never succeed, whatever the retry: not a 503.
  MIXED_CURRENCIES: 422,
  ORDER_TOTAL_TOO_LARGE: 422,
  REJECTED: 422,
  RATE_LIMITED: 429,
  // Too many event streams open at once: close one (or wait for one to end) and try again.
  TOO_MANY_STREAMS: 429,
};

/**
 * Errors that mean the client went away (reset, closed mid-body): not the gateway's failure, and no
 * one is left to answer. nginx's 499 names it in logs and metrics; it is never a 500.
 */
const CLIENT_GONE_CODES: ReadonlySet<unknown> = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "ERR_STREAM_PREMATURE_CLOSE",
]);
export const CLIENT_CLOSED_REQUEST = 499;

export const isClientGone = (err: unknown): boolean =>
  err instanceof Error && CLIENT_GONE_CODES.has((err as { code?: unknown }).code);

/** Seconds a client should wait before retrying a 503: an open breaker stays open for seconds. */
const retryAfterSeconds = (code: string): number => (code === "CIRCUIT_OPEN" ? 5 : 1);

const INTERNAL_DETAIL = "The server failed to handle the request; it has been logged.";
const UNAVAILABLE_DETAIL = "A service this request depends on is temporarily unavailable; retry later.";

/** What fastify (and its body parsers and validator) throws. */
interface HttpLibraryError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message: string;
  readonly validation?: readonly ValidationIssue[];
  readonly validationContext?: string;
  /** Node's HTTP parser errors say why in words. */
  readonly reason?: unknown;
}

interface ValidationIssue {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/**
 * Maps anything a request can fail with to its problem response. Never exposes internals. `instance`
 * is the request's path; none when Node refused the bytes before there was a request.
 */
export function toProblem(err: unknown, instance?: string): ProblemReply {
  if (isAppError(err)) return fromAppError(err, instance);
  if (!(err instanceof Error)) return problem(500, "INTERNAL", INTERNAL_DETAIL, instance);
  if (isClientGone(err)) {
    return problem(
      CLIENT_CLOSED_REQUEST,
      "CLIENT_CLOSED_REQUEST",
      "The client closed the connection before its request was read.",
      instance,
    );
  }
  const e: HttpLibraryError = err;
  if (Array.isArray(e.validation)) return problem(400, "VALIDATION_FAILED", validationDetail(e), instance);
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return problem(413, "PAYLOAD_TOO_LARGE", "The request body is larger than the server accepts.", instance);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return problem(415, "UNSUPPORTED_MEDIA_TYPE", "Send the request body as application/json.", instance);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return problem(400, "MALFORMED_JSON", e.message, instance);
    // The router's own refusals (fastify's frameworkErrors): a path parameter longer than any id.
    case "FST_ERR_MAX_PARAM_LENGTH":
      return problem(414, "URI_TOO_LONG", "A path parameter is longer than any this API accepts.", instance);
    // Node's HTTP server refusing the bytes themselves (its clientError), before fastify sees a request.
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return problem(408, "REQUEST_TIMEOUT", "The request did not arrive in time.", instance);
    case "HPE_HEADER_OVERFLOW":
      return problem(431, "HEADERS_TOO_LARGE", "The request's headers are larger than the server accepts.", instance);
  }
  // Any other HTTP parser error (llhttp's HPE_ codes); its reason names the broken rule, not the server's state.
  if (typeof e.code === "string" && e.code.startsWith("HPE_")) {
    const reason = typeof e.reason === "string" ? `: ${e.reason}` : "";
    return problem(400, "BAD_REQUEST", `The request is not valid HTTP/1.1${reason}.`, instance);
  }
  // The JSON body parser rethrows the SyntaxError of JSON.parse with a 400 status.
  if (err instanceof SyntaxError && e.statusCode === 400) {
    return problem(400, "MALFORMED_JSON", "The request body is not valid JSON.", instance);
  }
  // Any other client error fastify raises (e.g. a Content-Length mismatch) keeps its status; its
  // message is fastify's own and safe to show.
  if (
    typeof e.code === "string" &&
    e.code.startsWith("FST_") &&
    typeof e.statusCode === "number" &&
    e.statusCode < 500
  ) {
    return problem(e.statusCode, "BAD_REQUEST", e.message, instance);
  }
  return problem(500, "INTERNAL", INTERNAL_DETAIL, instance);
}

function fromAppError(err: AppError, instance: string | undefined): ProblemReply {
  if (err.kind === "internal") return problem(500, "INTERNAL", INTERNAL_DETAIL, instance);
  const special = err.kind === "not_found" ? undefined : statusOfCode[err.code];
  const status = special ?? statusOfKind[err.kind];
  const extensions = err instanceof ProblemError ? err.extensions : {};
  if (err.kind === "unavailable") {
    // Transport errors from upstreams name addresses and sockets; only the breaker's own words are shown.
    const detail = err instanceof RemoteError && err.code !== "CIRCUIT_OPEN" ? UNAVAILABLE_DETAIL : err.message;
    return problem(status, err.code, detail, instance, extensions, {
      "retry-after": String(retryAfterSeconds(err.code)),
    });
  }
  const headers: Record<string, string> =
    status === 401
      ? { "www-authenticate": "Bearer" }
      : err instanceof RateLimitedError
        ? { "retry-after": String(err.retryAfterSeconds) }
        : {};
  return problem(status, err.code, err.message, instance, extensions, headers);
}

function problem(
  status: number,
  code: string,
  detail: string,
  instance: string | undefined,
  extensions: ProblemExtensions = {},
  headers: Record<string, string> = {},
): ProblemReply {
  const type = `urn:qc:problem:${code.toLowerCase().replaceAll("_", "-")}`;
  const title = STATUS_CODES[status] ?? "Error";
  return {
    status,
    headers,
    body: { type, title, status, code, detail, ...(instance === undefined ? {} : { instance }), ...extensions },
  };
}

/** "body/items/0/quantity must be integer; body must NOT have additional properties: color". */
function validationDetail(err: HttpLibraryError): string {
  const where = err.validationContext ?? "request";
  const lines = (err.validation ?? []).map((issue) => {
    const extra = issue.params?.additionalProperty;
    return `${where}${issue.instancePath ?? ""} ${issue.message ?? "is invalid"}${typeof extra === "string" ? `: ${extra}` : ""}`;
  });
  return lines.length > 0 ? lines.join("; ") : err.message;
}
