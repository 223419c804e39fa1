import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * `Server-Timing` on every answer: the gateway's own time, plus the time an upstream spent inside
 * its handler (from its gRPC trailer), so an operator can tell where a slow request spent it.
 */
export function installServerTiming(app: FastifyInstance): void {
  app.addHook("onSend", async (_request, reply, payload) => {
    const upstream = reply.getHeader("server-timing");
    const own = `gateway;dur=${reply.elapsedTime.toFixed(3)}`;
    void reply.header("server-timing", typeof upstream === "string" && upstream ? `${upstream}, ${own}` : own);
    return payload;
  });
}

/** A callback for `onServerTiming` that records an upstream's handler time on the reply. */
export const recordUpstreamTiming =
  (reply: FastifyReply, upstream: string) =>
  (ms: number): void => {
    void reply.header("server-timing", `${upstream};dur=${ms.toFixed(3)}`);
  };
