import { notFound } from "@qc/platform/errors";
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PROBLEM_MEDIA_TYPE } from "./problem.schema";
import { CLIENT_CLOSED_REQUEST, toProblem, type ProblemReply } from "./problem";

/** What the router did not match but is no API path: the web app's pages (see web-app.ts). */
export interface PageFallback {
  readonly serves: (request: FastifyRequest) => boolean;
  readonly send: (reply: FastifyReply) => unknown;
}

/**
 * Every error and every unknown route leaves as application/problem+json through `toProblem`; with a
 * `pages` fallback, an unknown path it serves (a page of the web app) is answered by it instead.
 */
export function installProblemHandlers(app: FastifyInstance, pages: PageFallback | null = null): void {
  app.setErrorHandler((err: unknown, request, reply) => {
    const problem = toProblem(err, pathOf(request.url));
    request.problemCode = problem.body.code;
    logProblem(request.log, problem, err);
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    if (pages?.serves(request)) return pages.send(reply);
    const path = pathOf(request.url);
    return sendProblem(reply, toProblem(notFound("NOT_FOUND", `no route for ${request.method} ${path}`), path));
  });
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or hook runs (a path parameter
 * beyond `maxParamLength`, a path that is no valid URL component) answered as a problem too, instead
 * of fastify's own plain JSON.
 */
export function sendFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem = toProblem(err, pathOf(request.url));
  logProblem(request.log, problem, err);
  void sendProblem(reply, problem);
}

export function sendProblem(reply: FastifyReply, problem: ProblemReply): FastifyReply {
  return reply.code(problem.status).headers(problem.headers).type(PROBLEM_MEDIA_TYPE).send(problem.body);
}

export function logProblem(log: FastifyBaseLogger, problem: ProblemReply, err: unknown): void {
  const { status, code } = problem.body;
  // Only a real failure gets its stack; an outage logs one line per request (its cause names the
  // address that failed), a client's mistake needs just its code, and a client that left, one line.
  if (status === CLIENT_CLOSED_REQUEST) log.info({ code }, "client went away");
  else if (status === 500) log.error({ err }, "request failed");
  // An open breaker answers at once, and its state change was the warning (logged by the process that
  // holds the breaker): a line per refused request would cost more than the fast failure it logs.
  else if (code === "CIRCUIT_OPEN") log.debug({ code }, "refused by an open circuit breaker");
  else if (status >= 500)
    log.warn({ code, cause: err instanceof Error ? err.message : String(err) }, "dependency unavailable");
  else log.info({ status, code }, "request rejected");
}

/** The path of a request URL, without its query (which may carry cursors). */
function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
