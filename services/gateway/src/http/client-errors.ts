import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyBaseLogger, FastifyServerOptions } from "fastify";
import { sendFrameworkError } from "./error-handlers";
import { toProblem } from "./problem";
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

/** Connection errors that mean the client went away: nothing to answer, nothing to alarm anyone. */
const GONE = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE"]);

/**
 * Answers what Node's HTTP parser refuses (a malformed request line or header, headers too large, a
 * request that took too long) as application/problem+json like every other error, where fastify
 * wrote plain JSON. Logged at info without a stack: it is the client's doing, not the gateway's.
 */
export function answerClientError(log: FastifyBaseLogger) {
  return (err: ConnectionError, socket: Socket): void => {
    if (socket.destroyed || (err.code !== undefined && GONE.has(err.code))) {
      log.info({ code: err.code }, "client went away");
      socket.destroy();
      return;
    }
    const { status, body } = toProblem(err);
    log.info({ status, code: body.code, parserCode: err.code }, "request refused by the HTTP parser");
    // Only a socket that has sent nothing yet may get an answer: half an answer followed by another
    // would be garbage to the client.
    if (socket.writable && socket.bytesWritten === 0) {
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

/** Fastify server options so that no refusal, at any layer, leaves without problem+json. */
export function clientErrorOptions(log: FastifyBaseLogger): Pick<FastifyServerOptions, "maxParamLength" | "frameworkErrors" | "clientErrorHandler"> {
  return { maxParamLength: MAX_PARAM_LENGTH, frameworkErrors: sendFrameworkError, clientErrorHandler: answerClientError(log) };
}
