import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Metrics } from "./metrics";

/** A `METRICS_PORT` from the environment: a TCP port, 0 for a free one, or -1 to serve no metrics. */
export const METRICS_DISABLED = -1;

export interface MetricsEndpoint {
  /** The port `/metrics` is served on, or null when metrics are not served (`METRICS_PORT=-1`). */
  readonly port: number | null;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) on a small HTTP listener beside the service's own
 * port, so metrics are never exposed on the public one. Adds the Node.js runtime metrics.
 */
export async function serveMetrics(
  metrics: Metrics,
  options: { host: string; port: number },
  logger?: Logger,
): Promise<MetricsEndpoint> {
  if (options.port === METRICS_DISABLED) return { port: null, close: async () => undefined };
  metrics.collectRuntimeMetrics();
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: metrics are at GET /metrics\n");
      return;
    }
    metrics.text().then(
      (body) =>
        res.writeHead(200, { "content-type": metrics.contentType }).end(req.method === "HEAD" ? undefined : body),
      (err: unknown) => {
        logger?.warn({ err }, "metrics collection failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger?.info({ metricsPort: port }, `metrics at http://${options.host}:${port}/metrics`);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
