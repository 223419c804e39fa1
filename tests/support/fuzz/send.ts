import http from "node:http";
import type { FuzzCase } from "./request-case";

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

// One keep-alive connection pool for the run: a new TCP connection per case would cost more than the case.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/**
 * Sends a case with node:http rather than fetch: fetch normalises paths (`..`), refuses some methods'
 * bodies and sets headers of its own, which would hide what the gateway is given.
 */
export function send(baseUrl: string, c: FuzzCase): Promise<Answer> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: c.method,
        path: c.url,
        headers: c.body === undefined ? c.headers : { ...c.headers, "content-length": Buffer.byteLength(c.body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        const answer = () => ({
          status: res.statusCode ?? 0,
          contentType: res.headers["content-type"] ?? "",
          text: Buffer.concat(chunks).toString("utf8"),
        });
        // An event stream (GET /v1/orders/{id}/events) of an order that is not final never ends by
        // itself: its status and first bytes are the answer; then the client goes away, as a browser
        // tab that is closed does (the gateway must take that too).
        const stream = (res.headers["content-type"] ?? "").startsWith("text/event-stream");
        res.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          if (stream) {
            resolve(answer());
            res.destroy();
          }
        });
        res.on("end", () => resolve(answer()));
        res.on("error", (err) => (stream ? resolve(answer()) : reject(err)));
      },
    );
    req.on("error", reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer within 15 s to ${c.method} ${c.url}`)));
    req.end(c.body);
  });
}

export const closeConnections = (): void => agent.destroy();
