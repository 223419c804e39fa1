import { monitorEventLoopDelay } from "node:perf_hooks";
import hdr from "hdr-histogram-js";
import { EVENT_LOOP_SAMPLE_MS } from "@qc/platform/observability";
import { parsePrometheusText, type PromScrape } from "@qc/platform/testing";
import { Pool, type Dispatcher } from "undici";
import { ms } from "./load";
import { loopDelayMs } from "./loop-delay";
import { pick, randomLines, type BenchData } from "./seed";

/** What one overload phase measured, client side. */
export interface OverloadResult {
  /** Offered load as a multiple of the closed-loop capacity. */
  readonly factor: number;
  readonly offeredPerSec: number;
  readonly seconds: number;
  /** Answers by status; 503s by their problem `code` too (`503 OVERLOADED`), `error` for a failed connection. */
  readonly statuses: Record<string, number>;
  /** 201 answers per second of the phase. */
  readonly goodputPerSec: number;
  /** goodput / capacity. */
  readonly goodputShare: number;
  /** p99 of the orders the platform took and decided (201 confirmed, 202 pending, 402 declined). */
  readonly acceptedP99Ms: number;
  readonly acceptedP50Ms: number;
  /** Latency of the answers shed at once (503 OVERLOADED), client side, from each order's scheduled start. */
  readonly shedP50Ms: number | null;
  readonly shedP99Ms: number | null;
  /**
   * The same answers' time inside the gateway (its `Server-Timing`): from the request's arrival in
   * Fastify to the answer. The client-side figure adds both processes' waits for a CPU (everything
   * shares two cores) and the client's own event-loop delay (`clientLoopDelayP99Ms`).
   */
  readonly shedGatewayP99Ms: number | null;
  /**
   * The accepted orders' p99 inside the gateway and inside the order service (their `Server-Timing`):
   * with `acceptedP99Ms`, where an accepted order's time went.
   */
  readonly acceptedGatewayP99Ms: number | null;
  readonly acceptedOrderServiceP99Ms: number | null;
  /** p99 of the load generator's own event-loop delay during the phase: a floor under every client-side latency. */
  readonly clientLoopDelayP99Ms: number;
  /** p99 of the gateway's event-loop delay during the phase (its Prometheus metrics), when it was given. */
  readonly gatewayLoopDelayP99Ms: number | null;
  readonly errors500: number;
  readonly connectionErrors: number;
  /** Most requests outstanding at once, as the client saw them. */
  readonly maxInFlight: number;
  /** The gateway's concurrency limit of orders when the offered load ended (its metrics), when they were given. */
  readonly admissionLimit: number | null;
  /** From the end of the offered load to the answer of the first order that then succeeded (201). */
  readonly recoveryMs: number | null;
}

/** Answers of orders the platform took on and decided. */
const ADMITTED = new Set(["201", "202", "402"]);

const newHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** The label of an order answered 503 OVERLOADED: shed at once by admission control. */
export const SHED = "503 OVERLOADED";

/**
 * An answer's label for the status mix: its status, or for a 503 its status and problem code
 * (`503 OVERLOADED`, `503 CIRCUIT_OPEN`, …), which say different things. Consumes the body.
 */
export async function answerLabel(res: Dispatcher.ResponseData): Promise<number | string> {
  if (res.statusCode !== 503) {
    await res.body.dump();
    return res.statusCode;
  }
  const body = (await res.body.json().catch(() => ({}))) as { code?: unknown };
  return `503 ${typeof body.code === "string" ? body.code : "?"}`;
}

/** The gateway's Prometheus metrics (none without them). */
const scrape = (metricsUrl: string | undefined): Promise<PromScrape | null> =>
  metricsUrl === undefined
    ? Promise.resolve(null)
    : fetch(metricsUrl).then(
        async (r) => parsePrometheusText(await r.text()),
        () => null,
      );

/** The gateway's event-loop delay p99 since the last scrape (prom-client resets it at each), in ms. */
const loopDelayP99Ms = (metrics: PromScrape | null): number | null =>
  loopDelayMs(metrics?.value("nodejs_eventloop_lag_p99_seconds"));

/** An order's answer: its label (`201`, `503 OVERLOADED`, …, or `error`) and the gateway's and order service's own times on it. */
interface Answer {
  readonly label: string;
  readonly gatewayMs: number | null;
  readonly orderServiceMs: number | null;
}

const serverTiming = (header: string | string[] | undefined, name: "gateway" | "order"): number | null => {
  const match = new RegExp(`(?:^|, )${name};dur=([\\d.]+)`).exec([header ?? ""].flat().join(", "));
  return match?.[1] ? Number(match[1]) : null;
};

/** POST /v1/orders with a fresh Idempotency-Key. */
function orderPoster(http: Pool, data: BenchData) {
  return async (): Promise<Answer> => {
    const customer = pick(data.customers);
    try {
      const res = await http.request({
        method: "POST",
        path: "/v1/orders",
        headers: {
          authorization: `Bearer ${customer.token}`,
          "content-type": "application/json",
          "idempotency-key": crypto.randomUUID(),
        },
        body: JSON.stringify({ items: randomLines(data.skus) }),
      });
      const timing = res.headers["server-timing"];
      return {
        label: String(await answerLabel(res)),
        gatewayMs: serverTiming(timing, "gateway"),
        orderServiceMs: serverTiming(timing, "order"),
      };
    } catch {
      return { label: "error", gatewayMs: null, orderServiceMs: null };
    }
  };
}

/**
 * Open loop at `factor` × `capacityPerSec` for `durationMs`: orders start on a fixed schedule whatever
 * the answers do, each latency measured from its scheduled start. Then orders one at a time until one
 * succeeds: how long the platform needs to be itself again once the overload stops.
 */
export async function overloadPhase(
  gatewayUrl: string,
  data: BenchData,
  opts: {
    factor: number;
    capacityPerSec: number;
    durationMs: number;
    connections?: number;
    gatewayMetricsUrl?: string;
  },
): Promise<OverloadResult> {
  // prom-client resets its event-loop histogram at each scrape: this one starts the phase's.
  await scrape(opts.gatewayMetricsUrl);
  const rate = Math.max(1, opts.factor * opts.capacityPerSec);
  // Enough connections that the client never queues requests itself: a queue here would hide the
  // server's behaviour (the schedule still counts it, but the server would see less than offered).
  const http = new Pool(gatewayUrl, { connections: opts.connections ?? 2048, pipelining: 1 });
  const post = orderPoster(http, data);
  const accepted = newHistogram();
  const shed = newHistogram();
  const shedAtGateway = newHistogram();
  const acceptedAtGateway = newHistogram();
  const acceptedAtOrderService = newHistogram();
  const recordUs = (h: hdr.Histogram, valueMs: number | null) =>
    valueMs !== null && h.recordValue(Math.max(1, Math.round(valueMs * 1000)));
  const loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLE_MS });
  loopDelay.enable();
  const statuses: Record<string, number> = {};
  const intervalUs = 1_000_000 / rate;
  const total = Math.floor((rate * opts.durationMs) / 1000);
  const startUs = nowUs();
  const inFlight = new Set<Promise<void>>();
  let maxInFlight = 0;
  for (let i = 0; i < total; i++) {
    const scheduledUs = startUs + i * intervalUs;
    const waitMs = (scheduledUs - nowUs()) / 1000;
    if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs));
    const request: Promise<void> = post().then(({ label, gatewayMs, orderServiceMs }) => {
      const latency = Math.max(1, nowUs() - scheduledUs);
      if (label === SHED) {
        shed.recordValue(latency);
        recordUs(shedAtGateway, gatewayMs);
      } else if (ADMITTED.has(label)) {
        accepted.recordValue(latency);
        recordUs(acceptedAtGateway, gatewayMs);
        recordUs(acceptedAtOrderService, orderServiceMs);
      }
      statuses[label] = (statuses[label] ?? 0) + 1;
      inFlight.delete(request);
    });
    inFlight.add(request);
    maxInFlight = Math.max(maxInFlight, inFlight.size);
  }
  const offeredEndUs = nowUs();
  loopDelay.disable();
  const metricsAtEnd = await scrape(opts.gatewayMetricsUrl);
  const gatewayLoopDelay = loopDelayP99Ms(metricsAtEnd);
  const admissionLimit = metricsAtEnd?.value("admission_limit", { class: "orders" }) ?? null;
  // Recovery: the first order that succeeds once nothing more is offered (the backlog may still drain).
  const probe = orderPoster(http, data);
  let recoveryMs: number | null = null;
  while (recoveryMs === null && nowUs() - offeredEndUs < 60_000_000) {
    if ((await probe()).label === "201") recoveryMs = (nowUs() - offeredEndUs) / 1000;
    else await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
  const seconds = (offeredEndUs - startUs) / 1_000_000;
  await http.close();
  const count = (prefix: string) =>
    Object.entries(statuses)
      .filter(([k]) => k.startsWith(prefix))
      .reduce((n, [, v]) => n + v, 0);
  const goodputPerSec = (statuses["201"] ?? 0) / seconds;
  return {
    factor: Math.round(opts.factor * 100) / 100,
    offeredPerSec: Math.round(rate),
    seconds: Math.round(seconds * 100) / 100,
    statuses,
    goodputPerSec: Math.round(goodputPerSec),
    goodputShare: Math.round((goodputPerSec / opts.capacityPerSec) * 100) / 100,
    acceptedP50Ms: ms(accepted, 50),
    acceptedP99Ms: ms(accepted, 99),
    shedP50Ms: shed.totalCount > 0 ? ms(shed, 50) : null,
    shedP99Ms: shed.totalCount > 0 ? ms(shed, 99) : null,
    shedGatewayP99Ms: shedAtGateway.totalCount > 0 ? ms(shedAtGateway, 99) : null,
    acceptedGatewayP99Ms: acceptedAtGateway.totalCount > 0 ? ms(acceptedAtGateway, 99) : null,
    acceptedOrderServiceP99Ms: acceptedAtOrderService.totalCount > 0 ? ms(acceptedAtOrderService, 99) : null,
    clientLoopDelayP99Ms: loopDelayMs(loopDelay.percentile(99) / 1e9) ?? 0,
    gatewayLoopDelayP99Ms: gatewayLoopDelay,
    errors500: count("500"),
    connectionErrors: statuses.error ?? 0,
    maxInFlight,
    admissionLimit,
    recoveryMs: recoveryMs === null ? null : Math.round(recoveryMs),
  };
}
