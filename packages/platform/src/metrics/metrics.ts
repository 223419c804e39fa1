import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * How often the event-loop delay is sampled (`nodejs_eventloop_lag_*`, perf_hooks'
 * monitorEventLoopDelay), in ms. Each sample is the time since the previous one, so a loop that is
 * never late reads this much, not 0: a reader subtracts it to get the delay.
 */
export const EVENT_LOOP_SAMPLE_MS = 10;

export type { Counter, Gauge, Histogram } from "prom-client";

/** Latency buckets in seconds for requests and calls: 1 ms … 10 s. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

interface MetricConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

/**
 * The Prometheus metrics of one service: its own registry (several services can share a process, as
 * in the in-process benchmark), typed instrument factories so services never import prom-client,
 * and the text a scrape gets. Label values must come from small fixed sets: never an order,
 * customer or rider id.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly shared = new Map<string, unknown>();
  private runtime = false;

  constructor(readonly service: string) {}

  counter<L extends string = never>(config: MetricConfig<L> & { collect?: () => void | Promise<void> }): Counter<L> {
    return new Counter<L>({ ...config, labelNames: config.labelNames ?? [], registers: [this.registry] });
  }

  /** `collect` runs at every scrape, to read a value that lives elsewhere (a table count, a state). */
  gauge<L extends string = never>(config: MetricConfig<L> & { collect?: () => void | Promise<void> }): Gauge<L> {
    return new Gauge<L>({ ...config, labelNames: config.labelNames ?? [], registers: [this.registry] });
  }

  histogram<L extends string = never>(config: MetricConfig<L> & { buckets: readonly number[] }): Histogram<L> {
    return new Histogram<L>({
      ...config,
      buckets: [...config.buckets],
      labelNames: config.labelNames ?? [],
      registers: [this.registry],
    });
  }

  /** One instance of `make` per registry and key: instruments several modules add to the same service. */
  once<T>(key: string, make: () => T): T {
    if (!this.shared.has(key)) this.shared.set(key, make());
    return this.shared.get(key) as T;
  }

  /** Node.js runtime metrics (CPU, memory, event loop lag, GC, handles); added once the metrics are served. */
  collectRuntimeMetrics(): void {
    if (this.runtime) return;
    this.runtime = true;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
