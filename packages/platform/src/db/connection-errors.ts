/**
 * Which database errors mean the database cannot serve now (rather than that a query was wrong).
 * No driver is imported here: the gRPC status mapping uses it in every service, the gateway too,
 * which loads no database code.
 */

/** Socket errors of the driver: the server cannot be reached. */
const SOCKET_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"]);
/**
 * SQLSTATE classes that say the server cannot serve now, not that the query was wrong: 08 connection
 * exception, 53 insufficient resources (too many connections, out of memory, disk full), 57P operator
 * intervention (backend terminated, server shutting down or starting).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;
/** pg's own errors carry no code, only their message. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|encountered a connection error and is not queryable|Client was closed and is not queryable/i;

/**
 * True for errors that mean the database itself is unreachable or cannot serve now (or every
 * connection is busy), not that a query was wrong.
 */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (SOCKET_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return err instanceof Error && UNAVAILABLE_MESSAGE.test(err.message);
}
