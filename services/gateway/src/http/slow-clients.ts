import type { ServerOptions } from "node:http";
import type { GatewayConfig } from "../config";

/**
 * How often Node looks for requests past their timeouts. Its default (30 s) would let a 10 s
 * timeout run to 40 s; a second costs one walk over the open connections.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * Timeouts on the gateway's HTTP server, so a slow or stalled client cannot hold a connection (and
 * the memory and file descriptor behind it): Fastify turns Node's request timeout off by default, and
 * a request whose headers were complete but whose body never finished was held forever.
 *
 * - request: the headers and the body must have arrived within it, counted from the request's first
 *   byte (a body dribbled a byte at a time is cut off too). Past it Node reports ERR_HTTP_REQUEST_TIMEOUT,
 *   answered 408 REQUEST_TIMEOUT (client-errors.ts) and the connection closed; the request being read
 *   then ends as a client that went away (problem.ts: 499, logged at info).
 * - headers: the headers alone, within the request timeout.
 * - keep-alive: how long an idle connection waits for its next request.
 */
export function slowClientOptions(c: GatewayConfig): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
} {
  return {
    requestTimeout: c.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      requestTimeout: c.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeout: c.HTTP_HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
  };
}
