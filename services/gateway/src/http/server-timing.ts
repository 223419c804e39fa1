import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * `Server-Timing` on every answer: the gateway's own time, plus the time an upstream spent inside
 * its handler (from its gRPC trailer), so an operator can tell where a slow request spent it.
 */
export function installServerTiming(app: FastifyInstance): void {
  app.decorateRequest("upstreamMs", null);
  app.addHook("onSend", async (_request, reply, payload) => {
    const upstream = reply.getHeader("server-timing");
    const own = `gateway;dur=${reply.elapsedTime.toFixed(3)}`;
    void reply.header("server-timing", typeof upstream === "string" && upstream ? `${upstream}, ${own}` : own);
    return payload;
  });
}

declare module "fastify" {
  interface FastifyRequest {
    /** The upstream's own handling time of this request's call, in ms, when it sent one. */
    upstreamMs: number | null;
  }
}

/** A callback for `onServerTiming` that records an upstream's handler time on the reply (and the request). */
export const recordUpstreamTiming =
  (reply: FastifyReply, upstream: string) =>
  (ms: number): void => {
    reply.request.upstreamMs = ms;
    void reply.header("server-timing", `${upstream};dur=${ms.toFixed(3)}`);
  };
