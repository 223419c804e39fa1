import { status } from "@grpc/grpc-js";
import { LATENCY_BUCKETS, type Histogram, type Metrics } from "./metrics";

type RpcLabel = "service" | "method" | "code";
type RpcLabels = Record<RpcLabel, string>;

/**
 * `rpc_server_duration_seconds{service, method, code}`: every unary call a service answers, by gRPC
 * service (`qc.order.v1.OrderService`), method (`CreateOrder`) and status code name (`OK`,
 * `FAILED_PRECONDITION`, …). Label objects are made once per method and code, not per call.
 */
export class RpcServerMetrics {
  private readonly duration: Histogram<RpcLabel>;
  private readonly labels = new Map<string, RpcLabels[]>();

  private constructor(metrics: Metrics) {
    this.duration = metrics.histogram({
      name: "rpc_server_duration_seconds",
      help: "Time to answer a gRPC call, by service, method and status code.",
      labelNames: ["service", "method", "code"],
      buckets: LATENCY_BUCKETS,
    });
  }

  /** The one instance of a service's metrics. */
  static of(metrics: Metrics): RpcServerMetrics {
    return metrics.once("rpc-server", () => new RpcServerMetrics(metrics));
  }

  observe(service: string, method: string, code: status, seconds: number): void {
    const key = `${service}/${method}`;
    let byCode = this.labels.get(key);
    if (!byCode) {
      byCode = [];
      this.labels.set(key, byCode);
    }
    let labels = byCode[code];
    if (!labels) {
      labels = { service, method, code: status[code] ?? String(code) };
      byCode[code] = labels;
    }
    this.duration.observe(labels, seconds);
  }
}
