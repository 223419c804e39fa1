/**
 * Reads are cheap (issue #14 item 5): the same gateway, the same client, the same connection count,
 * one phase after the other — an empty request (`GET /healthz`), a cached catalog read
 * (`GET /v1/products/{sku}`) and an order lookup (`GET /v1/orders/{id}` by its customer) — so each
 * read's rate is reported as a share of the empty request's rate in the same run.
 */
import { Pool } from "undici";
import { closedLoop, ms, type LoadResult } from "./load";
import { answerLabel } from "./overload";
import { formatLoopDelays, withLoopDelays, type LoopDelays, type MetricsPorts } from "./loop-delay";
import { pick, randomLines, type BenchData } from "./seed";
import { cpuSeconds } from "./telemetry-cost";

export interface ReadPhase {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Record<string, number>;
  /** perSecond / the `/healthz` phase's perSecond (null for `/healthz` itself). */
  readonly ratioVsHealthz: number | null;
  readonly loopDelay: LoopDelays | null;
  /**
   * CPU time (user + system, /proc) each service spent in the phase per answered read, in µs: less
   * moved by other work on the machine than the rate. Null without the services' process ids.
   */
  readonly cpuUsPerRead: Record<string, number | null> | null;
}

export interface ReadsResult {
  readonly connections: number;
  readonly healthz: ReadPhase;
  readonly product: ReadPhase;
  readonly order: ReadPhase;
}

/**
 * Orders placed for the lookups, one per customer (at most `count`): each with the token of the
 * customer who may read it. Lookups at thousands per second spread over this many customers stay
 * under each one's rate limit (RATE_LIMIT_PER_PRINCIPAL), as a real read load from many customers
 * does; over 50 orders of fewer customers, some were refused 429.
 */
async function placeOrders(http: Pool, data: BenchData, count: number): Promise<{ id: string; token: string }[]> {
  const customers = data.customers.filter((c) => c.funded).slice(0, count);
  const placed = await Promise.all(
    customers.map(async (customer) => {
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
      const body = (await res.body.json()) as { id?: unknown };
      return typeof body.id === "string" ? { id: body.id, token: customer.token } : null;
    }),
  );
  const orders = placed.filter((o) => o !== null);
  if (orders.length === 0) throw new Error("reads: no order could be placed for the lookups");
  return orders;
}

/** The three read phases, `durationMs` each after `warmupMs`, at `connections` concurrent clients. */
export async function readPhases(
  gatewayUrl: string,
  data: BenchData,
  opts: {
    connections: number;
    durationMs: number;
    warmupMs: number;
    metricsPorts: MetricsPorts | null;
    /** Each service's process id, for its CPU time per read (null when attached to a stack run elsewhere). */
    pids: Record<string, number | undefined> | null;
    log: (msg: string) => void;
  },
): Promise<ReadsResult> {
  const http = new Pool(gatewayUrl, { connections: opts.connections, pipelining: 1 });
  try {
    const orders = await placeOrders(http, data, 250);
    const get = (target: () => { path: string; headers?: Record<string, string> }) => async () => {
      return answerLabel(await http.request({ method: "GET", ...target() }));
    };
    // Only answered reads count in the rate and the latencies; a shed one (503 OVERLOADED) is in the status mix.
    const loop = {
      concurrency: opts.connections,
      durationMs: opts.durationMs,
      warmupMs: opts.warmupMs,
      counts: (s: number | string) => s === 200,
    };
    const phase = async (
      name: string,
      send: () => Promise<number | string>,
      baseline: number | null,
    ): Promise<ReadPhase> => {
      opts.log(`reads: ${name}, ${opts.connections} connections × ${opts.durationMs / 1000}s`);
      // Counted from the end of the warm-up, as the reads are; the reads it sheds (503) cost some too.
      const cpu = new Promise<ReturnType<typeof cpuClock>>((resolve) =>
        setTimeout(() => resolve(cpuClock(opts.pids)), loop.warmupMs),
      );
      const { result, loopDelay } = await withLoopDelays(opts.metricsPorts, () => closedLoop(send, loop));
      const report = summarize(result, baseline, loopDelay, (await cpu)?.(result.requests) ?? null);
      opts.log(
        `  ${report.perSecond} req/s, p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms${report.ratioVsHealthz === null ? "" : `, ${report.ratioVsHealthz} of /healthz`}, ` +
          `${JSON.stringify(report.statuses)}; loop delay ${formatLoopDelays(loopDelay)}; CPU µs per read ${JSON.stringify(report.cpuUsPerRead)}`,
      );
      return report;
    };
    const healthz = await phase(
      "GET /healthz",
      get(() => ({ path: "/healthz" })),
      null,
    );
    const productPath = () => ({ path: `/v1/products/${encodeURIComponent(pick(data.skus))}` });
    const product = await phase("GET /v1/products/{sku}", get(productPath), healthz.perSecond);
    const orderLookup = () => {
      const { id, token } = pick(orders);
      return { path: `/v1/orders/${id}`, headers: { authorization: `Bearer ${token}` } };
    };
    const order = await phase("GET /v1/orders/{id}", get(orderLookup), healthz.perSecond);
    return { connections: opts.connections, healthz, product, order };
  } finally {
    await http.close();
  }
}

/** Starts counting each service's CPU time; the function returned answers it per read, in µs, for `reads` reads. */
/** Starts counting each process's CPU time; the function it returns gives µs per unit of work since then. */
export function cpuClock(
  pids: Record<string, number | undefined> | null,
): ((reads: number) => Record<string, number | null>) | null {
  if (pids === null) return null;
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return (reads) =>
    Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => {
        const [before, after] = [start[name], cpuSeconds(pid)];
        return [
          name,
          before == null || after == null || reads === 0 ? null : Math.round(((after - before) / reads) * 1e6),
        ];
      }),
    );
}

function summarize(
  r: LoadResult,
  baselinePerSecond: number | null,
  loopDelay: LoopDelays | null,
  cpuUsPerRead: Record<string, number | null> | null,
): ReadPhase {
  return {
    perSecond: Math.round(r.perSecond),
    p50Ms: ms(r.histogram, 50),
    p99Ms: ms(r.histogram, 99),
    statuses: r.statuses,
    ratioVsHealthz: baselinePerSecond ? Math.round((r.perSecond / baselinePerSecond) * 100) / 100 : null,
    loopDelay,
    cpuUsPerRead,
  };
}
