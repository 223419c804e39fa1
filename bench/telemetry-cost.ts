/**
 * `npm run bench -- --telemetry`: what tracing costs. The same closed loop of orders against stacks
 * that differ only in their tracing: off, on at 100 % and on at a 10 % sampling ratio (the standard
 * `OTEL_TRACES_SAMPLER=parentbased_traceidratio`, `OTEL_TRACES_SAMPLER_ARG=0.1`: the gateway decides
 * per trace, every other service follows its parent). Spans are exported over OTLP/HTTP to a sink in
 * this process that counts and discards them (a collector's work is not the services' cost).
 *
 * The three stacks run side by side and take turns: short slices of load, each stack in turn, the
 * order rotated every round, so a burst of other work on the machine (which moves a 2-core machine's
 * rate by tens of per cent within seconds) weighs on every setting alike. Besides the rate, the
 * services' CPU time per order is measured in each slice (/proc), which that noise moves less.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { RunMode, Stack } from "@qc/devstack";
import { createTestDatabase, type TestDatabase } from "@qc/platform/testing";
import { Pool } from "undici";
import { closedLoop, ms } from "./load";
import { answerLabel, SHED } from "./overload";
import { orderLines, startQuietStack } from "./sweep";
import { pick, seedBenchData, type BenchData } from "./seed";

export type TracingSetting = "off" | "100 %" | "10 %";

export const TRACING_SETTINGS: readonly TracingSetting[] = ["off", "100 %", "10 %"];

/** The environment that sets a stack's tracing (on with an OTLP endpoint; the sampler from the SDK's standard variables). */
export function tracingEnv(setting: TracingSetting, endpoint: string): Record<string, string> {
  switch (setting) {
    case "off":
      return {};
    case "100 %":
      return { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_SAMPLER: "parentbased_always_on" };
    case "10 %":
      return {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
      };
  }
}

/** The settings of each round, rotated by one each round (A B C, B C A, C A B, …): each goes first, second and last alike. */
export function runOrder<T>(settings: readonly T[], rounds: number): T[] {
  return Array.from({ length: rounds }, (_, r) => settings.map((_, i) => settings[(i + r) % settings.length]!)).flat();
}

/** One slice of load on one setting's stack. */
export interface TracingRun {
  readonly setting: TracingSetting;
  readonly round: number;
  readonly ordersPerSec: number;
  readonly p99Ms: number;
  readonly ordersSent: number;
  readonly spansReceived: number;
  /** CPU time of the five service processes (user + system) in the slice per order taken (201, 202, 402); null without /proc. */
  readonly cpuMsPerOrder: number | null;
}

export interface TracingSummary {
  readonly setting: TracingSetting;
  /** Mean of the setting's slices (p99: the mean of the slices' p99). */
  readonly ordersPerSec: number;
  readonly p99Ms: number;
  /** 1 − orders/s ÷ orders/s with tracing off: the share of throughput tracing costs. */
  readonly throughputCost: number;
  /**
   * The services' CPU per order over the whole phase (idle stacks' background work included, alike
   * for each), and its rise over tracing off: the same cost seen
   * from the CPU time the services spent, which the load of other processes on the machine moves far
   * less than the rate (on a CPU-bound stack a rise r costs r ÷ (1 + r) of the throughput).
   */
  readonly cpuMsPerOrder: number | null;
  readonly cpuCost: number | null;
  readonly spansPerOrder: number;
}

/**
 * Per setting: the mean of its slices, and the cost against tracing off. `phaseCpuMsPerOrder`, when
 * given, is each stack's CPU per order over the whole phase instead of the slices' mean: the batch
 * processor exports a slice's spans up to 5 s later, during another stack's slice.
 */
export function summarize(
  runs: readonly TracingRun[],
  phaseCpuMsPerOrder?: Partial<Record<TracingSetting, number | null>>,
): TracingSummary[] {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const by = (s: TracingSetting) => runs.filter((r) => r.setting === s);
  const offRate = mean(by("off").map((r) => r.ordersPerSec));
  const cpu = (setting: TracingSetting) => {
    if (phaseCpuMsPerOrder) return phaseCpuMsPerOrder[setting] ?? null;
    const own = by(setting);
    return own.length > 0 && own.every((r) => r.cpuMsPerOrder !== null) ? mean(own.map((r) => r.cpuMsPerOrder!)) : null;
  };
  const offCpu = cpu("off");
  return TRACING_SETTINGS.filter((s) => by(s).length > 0).map((setting) => {
    const own = by(setting);
    const ordersPerSec = mean(own.map((r) => r.ordersPerSec));
    const sent = own.reduce((n, r) => n + r.ordersSent, 0);
    const ownCpu = cpu(setting);
    return {
      setting,
      ordersPerSec: Math.round(ordersPerSec * 10) / 10,
      p99Ms: Math.round(mean(own.map((r) => r.p99Ms)) * 10) / 10,
      throughputCost: offRate > 0 ? Math.round((1 - ordersPerSec / offRate) * 1000) / 1000 : 0,
      spansPerOrder: sent > 0 ? Math.round((own.reduce((n, r) => n + r.spansReceived, 0) / sent) * 10) / 10 : 0,
      cpuMsPerOrder: ownCpu === null ? null : Math.round(ownCpu * 100) / 100,
      cpuCost:
        ownCpu === null || offCpu === null || offCpu === 0 ? null : Math.round((ownCpu / offCpu - 1) * 1000) / 1000,
    };
  });
}

/** Most of the throughput tracing at 10 % may cost (issue #14). */
export const TEN_PERCENT_COST_LIMIT = 0.05;

export interface TelemetryCostReport {
  readonly clients: number;
  readonly secondsPerSlice: number;
  readonly rounds: number;
  readonly order: TracingSetting[];
  readonly runs: TracingRun[];
  readonly settings: TracingSummary[];
  /** throughputCost at 10 %, and whether it is within the limit. */
  readonly tenPercentCost: number | null;
  readonly tenPercentWithinLimit: boolean | null;
  readonly hundredPercentCost: number | null;
  /** The services' CPU per order at 10 % and at 100 % over tracing off (see `TracingSummary.cpuCost`). */
  readonly tenPercentCpuCost: number | null;
  readonly hundredPercentCpuCost: number | null;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; null where there is none. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, hence the last ")"): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** USER_HZ: /proc counts CPU time in these (100 on Linux everywhere but exotic builds). */
const CLOCK_TICKS = 100;

const stackCpuSeconds = (stack: Stack): number | null => {
  const each = [...Object.values(stack.services).filter((s) => s.name !== "order"), ...stack.orderReplicas].map((s) =>
    cpuSeconds(s.pid),
  );
  return each.some((x) => x === null) ? null : each.reduce((a, b) => a! + b!, 0);
};

/** An OTLP/HTTP endpoint that answers every export and keeps only counts (spans by their `"spanId"` keys). */
async function startSpanSink(): Promise<{ url: string; spans: () => number; close: () => Promise<void> }> {
  let spans = 0;
  const key = Buffer.from('"spanId"');
  const server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => {
      for (let i = chunk.indexOf(key); i !== -1; i = chunk.indexOf(key, i + key.length)) spans++;
    });
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Connections per database service of each of the three stacks. */
const DB_POOL_SIZE = 4;

/** Orders the platform took and decided: what a slice counts (sheds and failures are in its status mix only). */
const TAKEN = new Set<number | string>([201, 202, 402]);

interface SettingStack {
  readonly setting: TracingSetting;
  readonly db: TestDatabase;
  readonly sink: Awaited<ReturnType<typeof startSpanSink>>;
  stack: Stack | null;
  data: BenchData | null;
  http: Pool | null;
}

export async function runTelemetryCost(opts: {
  readonly smoke: boolean;
  readonly run: RunMode;
  readonly jwtSecret: string;
  readonly env: Record<string, string>;
  readonly clients: number;
  readonly log: (msg: string) => void;
}): Promise<TelemetryCostReport> {
  const { log } = opts;
  // A slice must hold many orders per client: the orders still in flight when it ends are not counted.
  const sliceMs = opts.smoke ? 1_000 : 5_000;
  const rounds = opts.smoke ? 2 : 6;
  const warmupMs = opts.smoke ? 500 : 4_000;
  const order = runOrder(TRACING_SETTINGS, rounds);
  const stacks: SettingStack[] = [];
  try {
    for (const setting of TRACING_SETTINGS) {
      const s: SettingStack = {
        setting,
        db: await createTestDatabase("qc_bench_tracing"),
        sink: await startSpanSink(),
        stack: null,
        data: null,
        http: null,
      };
      stacks.push(s);
      // Three stacks at once: 3 × 3 database services × DB_POOL_SIZE connections must stay well
      // within the server's max_connections (100 by default), which other work on it shares.
      const env = { ...opts.env, DB_POOL_SIZE: String(DB_POOL_SIZE), ...tracingEnv(setting, s.sink.url) };
      s.stack = await startQuietStack({ databaseUrl: s.db.url, jwtSecret: opts.jwtSecret, env, run: opts.run }, log);
      s.data = await seedBenchData(s.stack.gatewayUrl, opts.jwtSecret, {
        products: opts.smoke ? 20 : 200,
        customers: opts.smoke ? 20 : 200,
        declinedShare: 0,
      });
      s.http = new Pool(s.stack.gatewayUrl, { connections: opts.clients, pipelining: 1 });
    }
    log(
      `tracing cost: stacks (${opts.run}) with tracing ${TRACING_SETTINGS.join(", ")} side by side; ${rounds} rounds of ${sliceMs / 1000} s slices at ${opts.clients} clients, ` +
        `each stack in turn (rotated each round), after ${warmupMs / 1000} s of warm-up each`,
    );
    const slice = async (s: SettingStack, durationMs: number) => {
      const funded = s.data!.customers.filter((c) => c.funded);
      let sent = 0;
      let answered = 0;
      const spansBefore = s.sink.spans();
      const cpuBefore = stackCpuSeconds(s.stack!);
      const result = await closedLoop(
        async () => {
          sent++;
          const res = await s.http!.request({
            method: "POST",
            path: "/v1/orders",
            headers: { authorization: `Bearer ${pick(funded).token}`, "content-type": "application/json" },
            body: JSON.stringify({
              items: orderLines(s.data!.skus, s.data!.skus.length, 1 + Math.floor(Math.random() * 3)),
            }),
          });
          const label = await answerLabel(res);
          if (TAKEN.has(label)) answered++;
          return label;
        },
        {
          concurrency: opts.clients,
          durationMs,
          warmupMs: 0,
          pauseMs: (l) => (l === SHED ? 1_000 : 0),
          counts: (l) => TAKEN.has(l),
        },
      );
      const cpuAfter = stackCpuSeconds(s.stack!);
      const cpuMsPerOrder =
        cpuBefore === null || cpuAfter === null || answered === 0
          ? null
          : Math.round(((cpuAfter - cpuBefore) * 1000 * 100) / answered) / 100;
      return { result, sent, answered, spans: s.sink.spans() - spansBefore, cpuMsPerOrder };
    };
    for (const s of stacks) await slice(s, warmupMs);
    const phaseStart = new Map(stacks.map((s) => [s.setting, stackCpuSeconds(s.stack!)]));
    const taken = new Map(stacks.map((s) => [s.setting, 0]));
    const runs: TracingRun[] = [];
    for (const [i, setting] of order.entries()) {
      const s = stacks.find((x) => x.setting === setting)!;
      const { result, sent, answered, spans, cpuMsPerOrder } = await slice(s, sliceMs);
      taken.set(setting, (taken.get(setting) ?? 0) + answered);
      const run: TracingRun = {
        setting,
        round: Math.floor(i / TRACING_SETTINGS.length),
        ordersPerSec: Math.round(result.perSecond * 10) / 10,
        p99Ms: ms(result.histogram, 99),
        ordersSent: sent,
        spansReceived: spans,
        cpuMsPerOrder,
      };
      runs.push(run);
      if (opts.smoke || run.round === 0 || run.round === rounds - 1) {
        log(
          `  round ${run.round + 1}, tracing ${setting}: ${run.ordersPerSec} orders/s, p99 ${run.p99Ms} ms, services' CPU ${run.cpuMsPerOrder ?? "-"} ms per order, ${spans} spans ${JSON.stringify(result.statuses)}`,
        );
      }
    }
    // The last slices' spans are exported up to OTEL_BSP_SCHEDULE_DELAY (5 s) later: that is their cost too.
    await new Promise((r) => setTimeout(r, 6_000));
    const phaseCpu = Object.fromEntries(
      stacks.map((s) => {
        const start = phaseStart.get(s.setting) ?? null;
        const end = stackCpuSeconds(s.stack!);
        const orders = taken.get(s.setting) ?? 0;
        return [s.setting, start === null || end === null || orders === 0 ? null : ((end - start) * 1000) / orders];
      }),
    ) as Partial<Record<TracingSetting, number | null>>;
    const settings = summarize(runs, phaseCpu);
    const find = (s: TracingSetting) => settings.find((x) => x.setting === s);
    const tenPercentCost = find("10 %")?.throughputCost ?? null;
    for (const s of settings) {
      log(
        `  ${s.setting}: ${s.ordersPerSec} orders/s (cost ${(s.throughputCost * 100).toFixed(1)} %), services' CPU ${s.cpuMsPerOrder ?? "-"} ms per order ` +
          `(${s.cpuCost === null ? "-" : `${(s.cpuCost * 100).toFixed(1)} %`}), p99 ${s.p99Ms} ms, ${s.spansPerOrder} spans per order`,
      );
    }
    return {
      clients: opts.clients,
      secondsPerSlice: sliceMs / 1000,
      rounds,
      order,
      runs,
      settings,
      tenPercentCost,
      tenPercentWithinLimit: tenPercentCost === null ? null : tenPercentCost <= TEN_PERCENT_COST_LIMIT,
      hundredPercentCost: find("100 %")?.throughputCost ?? null,
      tenPercentCpuCost: find("10 %")?.cpuCost ?? null,
      hundredPercentCpuCost: find("100 %")?.cpuCost ?? null,
    };
  } finally {
    for (const s of stacks) {
      await s.http?.close();
      await s.stack?.stop();
      await s.sink.close();
      await s.db.drop();
    }
  }
}
