import type { FastifyInstance } from "fastify";

/**
 * Answers a request refused before its body was read (413, malformed or unsupported body) without
 * resetting the connection under the client.
 *
 * Fastify marks such an answer `connection: close`, and Node then closes the socket while the client
 * is still sending: the unread bytes make the kernel send a reset, and a client that writes its whole
 * body before reading (fetch, most SDKs) sees EPIPE instead of the 413. Like nginx's lingering close,
 * the gateway instead reads and discards the rest of the body, up to `maxDrainBytes`, and keeps the
 * connection; a client that sends more than that is cut off.
 */
export function installUnreadBodyDrain(app: FastifyInstance, maxDrainBytes: number): void {
  app.addHook("onSend", async (request, reply) => {
    const raw = request.raw;
    if (reply.statusCode < 400 || raw.complete) return;
    const declared = Number(raw.headers["content-length"]);
    if (declared > maxDrainBytes) return; // too much to be worth reading: fastify's close stands
    reply.removeHeader("connection");
    let drained = 0;
    raw.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > maxDrainBytes) raw.socket.destroy();
    });
    raw.resume();
  });
}
