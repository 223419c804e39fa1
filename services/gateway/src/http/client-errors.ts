import { STATUS_CODES, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FastifyBaseLogger, FastifyServerOptions } from "fastify";
import { sendFrameworkError } from "./error-handlers";
import { isClientGone, toProblem } from "./problem";
import { PROBLEM_MEDIA_TYPE } from "./problem.schema";

/**
 * The longest path parameter the router matches. Fastify's default (100) is shorter than a subject
 * (128, @qc/platform/identity), and what it refuses never reaches the route's schema; up to this
 * length a too-long id is the schema's VALIDATION_FAILED, beyond it the router's 414 URI_TOO_LONG.
 */
export const MAX_PARAM_LENGTH = 512;

/** Errors Node's HTTP server reports on a connection (its `clientError`). */
interface ConnectionError extends Error {
  readonly code?: string;
}

/**
 * Answers what Node's HTTP parser refuses (a malformed request line or header, headers too large, a
 * request that took too long) as application/problem+json like every other error, where fastify
 * wrote plain JSON. Logged at info without a stack: it is the client's doing, not the gateway's.
 */
export function answerClientError(log: FastifyBaseLogger) {
  return (err: ConnectionError, socket: Socket): void => {
    if (socket.destroyed || isClientGone(err)) {
      // A request it was sending ends in the request's own log line; an idle connection's is noise.
      log.debug({ code: err.code }, "connection reset by the client");
      socket.destroy();
      return;
    }
    const { status, body } = toProblem(err);
    log.info({ status, code: body.code, cause: err.code }, "request refused before it was read");
    // As Node itself: only while no answer has begun on the socket, or the client would read garbage.
    if (socket.writable && !answerStarted(socket)) {
      const json = JSON.stringify(body);
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\ncontent-type: ${PROBLEM_MEDIA_TYPE}\r\n` +
          `content-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
      );
    }
    // The parser is gone; nothing more can be read from this connection.
    socket.destroySoon();
  };
}

/** Node's own test (http server's socketOnError): the response in flight on the socket has sent its head. */
const answerStarted = (socket: Socket): boolean => (socket as HttpSocket)._httpMessage?.headersSent === true;

interface HttpSocket extends Socket {
  /** Node's http server keeps the response in flight here (undocumented, read as Node does). */
  readonly _httpMessage?: ServerResponse | null;
}

/** Fastify server options so that no refusal, at any layer, leaves without problem+json. */
export function clientErrorOptions(
  log: FastifyBaseLogger,
): Pick<FastifyServerOptions, "routerOptions" | "frameworkErrors" | "clientErrorHandler"> {
  return {
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: answerClientError(log),
  };
}
