/**
 * `npm run bench`: orders per second through the whole stack, side by side with an in-process build
 * and the database's own ceiling, measured in one run so machine noise cancels out in the ratios.
 * `--smoke` runs a few seconds of each (CI), asserting only that it completes and the audit holds.
 * `--compiled` runs the services as production does, from `npm run build`'s `dist/` (built first).
 * Each service's resident memory (RSS) is reported after the start and after the load phases, each
 * right away and once the services are idle (`--settle`, see `settleFootprint`).
 */
import { execFileSync } from "node:child_process";
import { writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import { startStack, type Stack } from "@qc/devstack";
import { createTestDatabase } from "@qc/platform/testing";
import hdr from "hdr-histogram-js";
import pg from "pg";
import { Pool } from "undici";
import { audit, type AuditResult } from "./audit";
import { extraPhaseOptions, runExtraPhases } from "./extra-phases";
import { formatFootprint, settleFootprint, stackFootprint, type SettledFootprint } from "./footprint";
import { startInProcess, type InProcessPlatform } from "./in-process";
import { closedLoop, ms, openLoop, type LoadResult } from "./load";
import { formatLoopDelays, withLoopDelays, worstLoopDelays, type LoopDelays, type MetricsPorts } from "./loop-delay";
import { answerLabel, overloadPhase, SHED, type OverloadResult } from "./overload";
import { recordSql, replayOrder, replayPools, statementCount, type OrderTrace } from "./raw-sql";
import { cpuClock, readPhases, type ReadsResult } from "./reads";
import { pick, randomLines, seedBenchData, tokenSigner, type BenchData } from "./seed";
import { inTurns, weightedCpu, type Slice } from "./turns";

const { values: args } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    concurrency: { type: "string" },
    duration: { type: "string", short: "d" },
    warmup: { type: "string" },
    "declined-share": { type: "string", default: "0.05" },
    /** Rounds in which the stack and the in-process build take turns for the closed loop's duration (`inTurns`). */
    rounds: { type: "string" },
    profile: { type: "boolean", default: false },
    out: { type: "string", default: "bench/results/latest.json" },
    /** Overload phases at these offered rates (orders/s, comma-separated) instead of multiples of the capacity. */
    rates: { type: "string" },
    "overload-duration": { type: "string" },
    /** Run the compiled services (`npm run build`, node dist/main.js) instead of the TypeScript under tsx. */
    compiled: { type: "boolean", default: false },
    ...extraPhaseOptions,
    /** Seconds of each read phase (`/healthz`, a product, an order), at `read-connections` clients; 0 leaves them out. */
    "read-duration": { type: "string" },
    "read-connections": { type: "string", default: "64" },
    /** Only the read phases (after the start and the seeding): a quick loop while working on reads. */
    "reads-only": { type: "boolean", default: false },
    /** At most this many seconds, after the start and after the load phases, for the services' memory to fall back once idle; 0: no wait. */
    settle: { type: "string" },
  },
});
const runtime = args.compiled ? "dist" : "source";

const smoke = args.smoke;
const params = {
  concurrency: Number(args.concurrency ?? (smoke ? 8 : 32)),
  durationMs: Number(args.duration ?? (smoke ? 3 : 20)) * 1000,
  warmupMs: Number(args.warmup ?? (smoke ? 1 : 5)) * 1000,
  rounds: Number(args.rounds ?? (smoke ? 1 : 4)),
  declinedShare: Number(args["declined-share"]),
  products: smoke ? 20 : 200,
  customers: smoke ? 50 : 500,
  breakerOrders: smoke ? 200 : 1000,
  overloadMs: Number(args["overload-duration"] ?? (smoke ? 1.5 : 10)) * 1000,
  overloadRates: args.rates?.split(",").map(Number) ?? null,
  dbPoolSize: 10,
  readMs: Number(args["read-duration"] ?? (smoke ? 2 : 10)) * 1000,
  readConnections: Number(args["read-connections"]),
  settleMs: Number(args.settle ?? (smoke ? 0 : 150)) * 1000,
};
const JWT_SECRET = "bench-secret-0123456789abcdef-0123456789";
const log = (msg: string) => console.log(`[bench] ${msg}`);

/** One HTTP order through the gateway, with a fresh Idempotency-Key; resolves with its label (see `answerLabel`; and Server-Timing of the order service). */
/** Handling times an answer's `Server-Timing` carries, in ms: the order service's own, and the gateway's own. */
interface AnswerTimings {
  readonly orderMs: number | null;
  readonly gatewayMs: number | null;
}

const serverTiming = (header: string | string[] | undefined, name: string): number | null => {
  const match = new RegExp(`${name};dur=([\\d.]+)`).exec([header ?? ""].flat().join(", "));
  return match?.[1] ? Number(match[1]) : null;
};

function orderSender(http: Pool, data: BenchData, onTimings?: (timings: AnswerTimings) => void) {
  return async (): Promise<number | string> => {
    const customer = pick(data.customers);
    const res = await http.request({
      method: "POST",
      path: "/v1/orders",
      // As every client of the API does: a retry of the same order is then never a second order.
      headers: {
        authorization: `Bearer ${customer.token}`,
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
      },
      body: JSON.stringify({ items: randomLines(data.skus) }),
    });
    if (onTimings) {
      const header = res.headers["server-timing"];
      onTimings({ orderMs: serverTiming(header, "order"), gatewayMs: serverTiming(header, "gateway") });
    }
    return answerLabel(res);
  };
}

async function postgresVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const v = (await c.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? "?";
  await c.end();
  return v;
}

const summary = (r: LoadResult) => ({
  requests: r.requests,
  perSecond: Math.round(r.perSecond),
  p50Ms: ms(r.histogram, 50),
  p95Ms: ms(r.histogram, 95),
  p99Ms: ms(r.histogram, 99),
  maxMs: ms(r.histogram, 100),
  statuses: r.statuses,
});

/** Resident memory once idle (`settleFootprint`), waiting at most `--settle` seconds; null when 0. */
async function settled(stack: Stack, when: string): Promise<SettledFootprint | null> {
  if (params.settleMs <= 0) return null;
  log(`waiting up to ${params.settleMs / 1000}s for the services' memory to fall back once idle (${when})`);
  const idle = await settleFootprint(() => stackFootprint(stack), { capMs: params.settleMs });
  const fell = Object.entries(idle.fellAfterS)
    .map(([name, s]) => `${name} ${s === null ? "did not fall" : `fell by ${s}s`}`)
    .join(", ");
  log(`  resident memory idle ${when}, after ${idle.waitedS}s: ${formatFootprint(idle.idleMiB)} (${fell})`);
  return idle;
}

async function main(): Promise<void> {
  const attachUrl = process.env.GATEWAY_URL;
  const db = attachUrl ? null : await createTestDatabase("qc_bench");
  const databaseUrl = db?.url ?? process.env.DATABASE_URL ?? "";
  let stack: Stack | null = null;
  try {
    let footprint: {
      runtime: string;
      afterStartMiB: Record<string, number | null>;
      afterLoadMiB: Record<string, number | null> | null;
      /** Once idle after the start (null: not waited for, `--settle 0`, or `--reads-only`). */
      idleAfterStart: SettledFootprint | null;
      /** Once idle after the load phases: the idle memory after a run. */
      idleAfterLoad: SettledFootprint | null;
    } | null = null;
    if (!attachUrl) {
      if (args.compiled) {
        log("compiling the services (npm run build)");
        execFileSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], { stdio: "inherit" });
      }
      log(
        `starting the stack (${args.compiled ? "compiled: node dist/main.js" : "TypeScript under tsx"}) on ${db!.name}`,
      );
      const profileArgs = args.profile ? ["--cpu-prof", "--cpu-prof-dir=bench/results/profiles"] : [];
      stack = await startStack({
        databaseUrl,
        jwtSecret: JWT_SECRET,
        // The read phases come from one address: its rate limit stays on (its counting is part of a
        // read's cost) but high enough never to refuse them.
        env: { LOG_LEVEL: "warn", DB_POOL_SIZE: String(params.dbPoolSize), RATE_LIMIT_PER_ADDRESS: "1000000000" },
        nodeArgs: { gateway: profileArgs, order: profileArgs, inventory: profileArgs, payment: profileArgs },
        run: runtime,
      });
      footprint = {
        runtime,
        afterStartMiB: stackFootprint(stack),
        afterLoadMiB: null,
        idleAfterStart: null,
        idleAfterLoad: null,
      };
      log(`  resident memory after start: ${formatFootprint(footprint.afterStartMiB)}`);
      if (!args["reads-only"]) footprint.idleAfterStart = await settled(stack, "after start");
    }
    const gatewayUrl = attachUrl ?? stack!.gatewayUrl;
    const data = await seedBenchData(gatewayUrl, process.env.JWT_SECRET ?? JWT_SECRET, params);
    log(
      `seeded ${data.skus.length} products, ${data.customers.length} customers (${data.customers.filter((c) => !c.funded).length} declined)`,
    );
    // Every service's event-loop delay (p99/max) over each stack phase, from its metrics port.
    const metricsPorts: MetricsPorts | null = stack
      ? Object.fromEntries(Object.entries(stack.services).map(([n, s]) => [n, s.metricsPort]))
      : null;
    const pids = stack ? Object.fromEntries(Object.entries(stack.services).map(([n, s]) => [n, s.pid])) : null;
    const readOptions = {
      connections: params.readConnections,
      durationMs: params.readMs,
      warmupMs: Math.min(params.warmupMs, 2_000),
      metricsPorts,
      pids,
      log,
    };
    if (args["reads-only"]) {
      const reads = await readPhases(gatewayUrl, data, readOptions);
      const only = {
        at: new Date().toISOString(),
        mode: "reads-only",
        runtime,
        readProductVsHealthz: reads.product.ratioVsHealthz,
        readOrderVsHealthz: reads.order.ratioVsHealthz,
        reads,
      };
      await writeFile(args.out, JSON.stringify(only, null, 2) + "\n");
      return;
    }
    const http = new Pool(gatewayUrl, { connections: params.concurrency, pipelining: 1 });
    const send = orderSender(http, data);

    // The in-process build on the same database, measured in turns with the stack (see `inTurns`).
    const inProcessPlatform = databaseUrl ? await startInProcess(databaseUrl, params.dbPoolSize) : null;
    log(
      `stack${inProcessPlatform ? " and in-process build in turns" : ""}, closed loop: ${params.concurrency} clients × ${params.durationMs / 1000}s ` +
        `in ${params.rounds} round(s) (after ${params.warmupMs / 1000}s warm-up, ${LATER_WARMUP_MS / 1000}s in later rounds)`,
    );
    // Each service's CPU time per order and event-loop delay, over the stack's slices only.
    const stackSlices: {
      requests: number;
      cpuUsPerOrder: Record<string, number | null> | null;
      loopDelay: LoopDelays | null;
    }[] = [];
    const stackSlice = async (slice: Slice) => {
      // Counted from the end of the slice's warm-up, as its orders are.
      const cpu = new Promise<ReturnType<typeof cpuClock>>((resolve) =>
        setTimeout(() => resolve(cpuClock(pids)), slice.warmupMs),
      );
      // A client shed at the edge (503 OVERLOADED, Retry-After: 1) waits a second, as well-behaved clients
      // do; sheds are in the status mix but not in the rate or the latencies.
      const { result, loopDelay: sliceDelay } = await withLoopDelays(metricsPorts, () =>
        closedLoop(send, {
          ...params,
          ...slice,
          pauseMs: (s) => (s === SHED ? 1_000 : 0),
          counts: (s) => s !== SHED,
        }),
      );
      stackSlices.push({
        requests: result.requests,
        cpuUsPerOrder: (await cpu)?.(result.requests) ?? null,
        loopDelay: sliceDelay,
      });
      return result;
    };
    const inProcessSlice = (platform: InProcessPlatform) => (slice: Slice) =>
      closedLoop(async () => platform.placeOrder(pick(data.customers).id, randomLines(data.skus)), {
        ...params,
        ...slice,
      });
    const loops: Record<string, (slice: Slice) => Promise<LoadResult>> = { stack: stackSlice };
    if (inProcessPlatform) loops.inProcess = inProcessSlice(inProcessPlatform);
    const turns = await inTurns(loops, {
      rounds: params.rounds,
      durationMs: params.durationMs,
      warmupMs: params.warmupMs,
      laterWarmupMs: LATER_WARMUP_MS,
    });
    const closed = turns.stack!;
    const inProcess = turns.inProcess ?? null;
    const loopDelay: Record<string, LoopDelays | null> = {
      closedLoop: worstLoopDelays(stackSlices.map((s) => s.loopDelay)),
    };
    const cpuUsPerOrder = weightedCpu(stackSlices);
    log(
      `  stack ${Math.round(closed.perSecond)} orders/s, p99 ${ms(closed.histogram, 99)} ms; loop delay ${formatLoopDelays(loopDelay.closedLoop ?? null)}; CPU µs per order ${JSON.stringify(cpuUsPerOrder)}` +
        (inProcess ? `; in-process ${Math.round(inProcess.perSecond)} orders/s` : ""),
    );
    // One order's SQL, recorded through the in-process build, for the raw-SQL replay after the stack stops.
    const trace = inProcessPlatform ? await recordOneOrder(inProcessPlatform, data) : null;
    await inProcessPlatform?.stop();

    const halfRate = Math.max(1, closed.perSecond / 2);
    log(`stack, open loop at ${Math.round(halfRate)} orders/s for ${params.durationMs / 2000}s`);
    const { result: open, loopDelay: openDelay } = await withLoopDelays(metricsPorts, () =>
      openLoop(send, { ratePerSec: halfRate, durationMs: params.durationMs / 2 }),
    );
    loopDelay.halfLoad = openDelay;
    log(
      `  p50 ${ms(open.histogram, 50)} ms, p99 ${ms(open.histogram, 99)} ms; loop delay ${formatLoopDelays(openDelay)}`,
    );

    const reads: ReadsResult | null = params.readMs > 0 ? await readPhases(gatewayUrl, data, readOptions) : null;

    const gatewayMetricsPort = stack?.services.gateway.metricsPort;
    const gatewayMetricsUrl = gatewayMetricsPort ? `http://127.0.0.1:${gatewayMetricsPort}/metrics` : undefined;
    const overload = await overloadPhases(gatewayUrl, data, databaseUrl, closed.perSecond, gatewayMetricsUrl);
    if (stack && footprint) {
      footprint.afterLoadMiB = stackFootprint(stack);
      log(`resident memory after the load phases: ${formatFootprint(footprint.afterLoadMiB)}`);
      footprint.idleAfterLoad = await settled(stack, "after the load phases");
    }

    let breaker: {
      gatewayP50Ms: number;
      gatewayP99Ms: number;
      gatewayOwnP99Ms: number;
      serviceP99Ms: number;
      statuses: Record<string, number>;
    } | null = null;
    if (stack) {
      log(`open breaker: inventory stopped, ${params.breakerOrders} orders one at a time`);
      await stack.services.inventory.kill();
      const probe = new Pool(gatewayUrl, { connections: 1 });
      const probeSend = orderSender(probe, data);
      const admin = await adminToken();
      const inventoryBreakerOpen = async () => {
        const res = await probe.request({
          method: "GET",
          path: "/v1/admin/circuit-breakers",
          headers: { authorization: `Bearer ${admin}` },
        });
        const body = (await res.body.json()) as { items: { caller: string; target: string; state: string }[] };
        return body.items.some((b) => b.caller === "order" && b.target === "inventory" && b.state === "open");
      };
      const deadline = Date.now() + 30_000;
      while (!(await inventoryBreakerOpen()) && Date.now() < deadline) await probeSend();
      // A warm-up as every other phase has: the first refusals of a just-opened circuit run code paths
      // (error answers, their stacks) that the load before never took.
      const warmUntil = Date.now() + Math.min(params.warmupMs, 2_000);
      while (Date.now() < warmUntil) await probeSend();
      const handling = () =>
        hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
      // Each answer's own handling times (µs): the order service's, and the gateway's from the request's
      // arrival to its answer. The rest of the client-side time is sockets and waiting to be read.
      const [service, gatewayOwn] = [handling(), handling()];
      const record = (histogram: ReturnType<typeof handling>, ms: number | null) => {
        if (ms !== null) histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
      };
      const timedSend = orderSender(probe, data, ({ orderMs, gatewayMs }) => {
        record(service, orderMs);
        record(gatewayOwn, gatewayMs);
      });
      const gateway = await closedLoop(timedSend, {
        concurrency: 1,
        durationMs: 60_000,
        warmupMs: 0,
        maxRequests: params.breakerOrders,
      });
      breaker = {
        gatewayP50Ms: ms(gateway.histogram, 50),
        gatewayP99Ms: ms(gateway.histogram, 99),
        gatewayOwnP99Ms: ms(gatewayOwn, 99),
        serviceP99Ms: ms(service, 99),
        statuses: gateway.statuses,
      };
      log(
        `  gateway p50 ${breaker.gatewayP50Ms} / p99 ${breaker.gatewayP99Ms} ms (client side; the gateway's own handling p99 ${breaker.gatewayOwnP99Ms} ms), inside the order service p99 ${breaker.serviceP99Ms} ms, ${JSON.stringify(gateway.statuses)}`,
      );
      await probe.close();
    }
    await http.close();

    let auditResult: AuditResult | null = null;
    let rawSql: LoadResult | null = null;
    let rawSqlHalfLoad: LoadResult | null = null;
    let statements = 0;
    if (databaseUrl) {
      log("audit: no order PENDING, stock and money conserved");
      auditResult = await audit(databaseUrl, data.initialStock);
      log(`  ${auditResult.ok ? "ok" : `FAILED: ${auditResult.problems.join("; ")}`}`);
      if (stack) {
        await stack.stop();
        stack = null;
      }
    }
    if (databaseUrl && trace) {
      statements = statementCount(trace);
      log(
        `raw SQL: the ${statements} statements of one order (${trace.sessions.length} connection sessions), replayed with pg`,
      );
      const funded = data.customers.filter((c) => c.funded);
      const pools = replayPools(databaseUrl, trace, params.concurrency);
      const replay = async () => {
        const skus = randomLines(data.skus)
          .concat(randomLines(data.skus))
          .map((l) => l.sku);
        const distinct = [...new Set(skus)];
        if (distinct.length < 2) distinct.push(data.skus.find((s) => s !== distinct[0])!);
        await replayOrder(pools, trace, pick(funded).id, distinct.slice(0, 2));
        return "ok";
      };
      rawSql = await closedLoop(replay, params);
      log(`  ${Math.round(rawSql.perSecond)} orders/s`);
      // The same SQL offered at the stack's half-load rate: the tail the database alone has there.
      log(`raw SQL, open loop at ${Math.round(halfRate)} orders/s for ${params.durationMs / 2000}s`);
      rawSqlHalfLoad = await openLoop(replay, { ratePerSec: halfRate, durationMs: params.durationMs / 2 });
      await Promise.all([...pools.values()].map((p) => p.end()));
      log(`  p50 ${ms(rawSqlHalfLoad.histogram, 50)} ms, p99 ${ms(rawSqlHalfLoad.histogram, 99)} ms`);
    }

    const ordersPerSec = Math.round(closed.perSecond);
    const result = {
      at: new Date().toISOString(),
      mode: smoke ? "smoke" : "full",
      runtime,
      ordersPerSec,
      p50Ms: ms(closed.histogram, 50),
      p95Ms: ms(closed.histogram, 95),
      p99Ms: ms(closed.histogram, 99),
      maxMs: ms(closed.histogram, 100),
      statusMix: closed.statuses,
      halfLoadRatePerSec: Math.round(halfRate),
      halfLoadP50Ms: ms(open.histogram, 50),
      halfLoadP99Ms: ms(open.histogram, 99),
      rawSqlHalfLoadP99Ms: rawSqlHalfLoad ? ms(rawSqlHalfLoad.histogram, 99) : null,
      halfLoadP99VsRawSql: rawSqlHalfLoad ? round(ms(open.histogram, 99) / ms(rawSqlHalfLoad.histogram, 99)) : null,
      readProductVsHealthz: reads?.product.ratioVsHealthz ?? null,
      readOrderVsHealthz: reads?.order.ratioVsHealthz ?? null,
      inProcessOrdersPerSec: inProcess ? Math.round(inProcess.perSecond) : null,
      rawSqlOrdersPerSec: rawSql ? Math.round(rawSql.perSecond) : null,
      rawSqlStatementsPerOrder: statements || null,
      ratioVsInProcess: inProcess ? round(closed.perSecond / inProcess.perSecond) : null,
      ratioVsRawSql: rawSql ? round(closed.perSecond / rawSql.perSecond) : null,
      overloadGoodputShareMin: overload.goodputShareMin,
      overloadShedP99MsMax: overload.shedP99MsMax,
      overloadShedGatewayP99MsMax: overload.shedGatewayP99MsMax,
      overloadClientLoopDelayP99MsMax: overload.clientLoopDelayP99MsMax,
      overloadGatewayLoopDelayP99MsMax: overload.gatewayLoopDelayP99MsMax,
      overloadAcceptedP99MsMax: overload.acceptedP99MsMax,
      overloadAcceptedP99LimitMs: overload.acceptedP99LimitMs,
      overload500s: overload.errors500,
      overloadConnectionErrors: overload.connectionErrors,
      overloadRecoveryMsMax: overload.recoveryMsMax,
      overloadAuditOk: overload.auditOk,
      breakerOpenGatewayP99Ms: breaker?.gatewayP99Ms ?? null,
      breakerOpenServiceP99Ms: breaker?.serviceP99Ms ?? null,
      auditOk: auditResult?.ok ?? null,
      audit: auditResult,
      stack: { ...summary(closed), cpuUsPerOrder },
      halfLoad: summary(open),
      inProcess: inProcess ? summary(inProcess) : null,
      rawSql: rawSql ? summary(rawSql) : null,
      rawSqlHalfLoad: rawSqlHalfLoad ? summary(rawSqlHalfLoad) : null,
      reads,
      loopDelay,
      breakerOpen: breaker,
      overload,
      footprint,
      machine: {
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? "?",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        postgres: databaseUrl ? await postgresVersion(databaseUrl) : null,
      },
      parameters: params,
    };
    await mkdir("bench/results", { recursive: true });
    await writeFile(args.out, JSON.stringify(result, null, 2) + "\n");
    printTable(result);
    if ((auditResult && !auditResult.ok) || overload.auditOk === false) process.exitCode = 1;
  } finally {
    await stack?.stop();
    await db?.drop();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/** The statements of one order placed through the in-process build, by connection session, for the replay. */
async function recordOneOrder(platform: InProcessPlatform, data: BenchData): Promise<OrderTrace> {
  const customer = pick(data.customers.filter((c) => c.funded)).id;
  const lines = [
    { sku: data.skus[0]!, quantity: 1 },
    { sku: data.skus[1]!, quantity: 2 },
  ];
  const sessions = await recordSql(async () => void (await platform.placeOrder(customer, lines)));
  return { sessions, customerId: customer, skus: lines.map((l) => l.sku) };
}

/** Warm-up of a closed-loop slice after the first round: the contender is warm, its clients only need to start. */
const LATER_WARMUP_MS = 1_000;

interface OverloadPhaseReport extends OverloadResult {
  readonly auditOk: boolean | null;
  readonly auditProblems: string[];
}

/**
 * Open loops at 80 % of the closed-loop capacity (the reference tail), then 1.5×, 2× and 4× of it
 * (smoke: one short phase at 2×; `--rates`: at the given offered rates), each followed by the
 * consistency audit.
 */
async function overloadPhases(
  gatewayUrl: string,
  data: BenchData,
  databaseUrl: string,
  capacityPerSec: number,
  gatewayMetricsUrl?: string,
) {
  const factors = params.overloadRates?.map((rate) => rate / capacityPerSec) ?? (smoke ? [2] : [0.8, 1.5, 2, 4]);
  const phases: OverloadPhaseReport[] = [];
  for (const factor of factors) {
    log(
      `overload: open loop at ${round(factor)}× capacity (${Math.round(factor * capacityPerSec)} orders/s) for ${params.overloadMs / 1000}s`,
    );
    const phase = await overloadPhase(gatewayUrl, data, {
      factor,
      capacityPerSec,
      durationMs: params.overloadMs,
      gatewayMetricsUrl,
    });
    const checked = databaseUrl ? await audit(databaseUrl, data.initialStock) : null;
    phases.push({ ...phase, auditOk: checked?.ok ?? null, auditProblems: checked?.problems ?? [] });
    log(
      `  ${JSON.stringify(phase.statuses)}: goodput ${phase.goodputPerSec}/s (${Math.round(phase.goodputShare * 100)} %), ` +
        `accepted p99 ${phase.acceptedP99Ms} ms (gateway ${phase.acceptedGatewayP99Ms ?? "-"}, order service ${phase.acceptedOrderServiceP99Ms ?? "-"}), shed p50/p99 ${phase.shedP50Ms ?? "-"}/${phase.shedP99Ms ?? "-"} ms ` +
        `(gateway p99 ${phase.shedGatewayP99Ms ?? "-"} ms, client/gateway loop delay p99 ${phase.clientLoopDelayP99Ms}/${phase.gatewayLoopDelayP99Ms ?? "-"} ms), ` +
        `limit at the end ${phase.admissionLimit ?? "-"}, recovery ${phase.recoveryMs ?? "never"} ms, audit ${checked ? (checked.ok ? "ok" : checked.problems.join("; ")) : "-"}`,
    );
  }
  const over = phases.filter((p) => p.factor > 1);
  const at80 = phases.find((p) => p.factor === 0.8);
  const max = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : Math.max(...(xs as number[])));
  return {
    capacityPerSec: Math.round(capacityPerSec),
    p99At80PercentMs: at80?.acceptedP99Ms ?? null,
    goodputShareMin: over.length ? Math.min(...over.map((p) => p.goodputShare)) : null,
    shedP99MsMax: over.some((p) => p.shedP99Ms !== null) ? Math.max(...over.map((p) => p.shedP99Ms ?? 0)) : null,
    shedGatewayP99MsMax: over.some((p) => p.shedGatewayP99Ms !== null)
      ? Math.max(...over.map((p) => p.shedGatewayP99Ms ?? 0))
      : null,
    clientLoopDelayP99MsMax: Math.max(...over.map((p) => p.clientLoopDelayP99Ms)),
    gatewayLoopDelayP99MsMax: max(over.map((p) => p.gatewayLoopDelayP99Ms)),
    acceptedP99MsMax: max(over.map((p) => p.acceptedP99Ms)),
    acceptedP99LimitMs: at80 ? round(2 * at80.acceptedP99Ms) : null,
    errors500: phases.reduce((n, p) => n + p.errors500, 0),
    connectionErrors: phases.reduce((n, p) => n + p.connectionErrors, 0),
    recoveryMsMax: max(over.map((p) => p.recoveryMs)),
    auditOk: databaseUrl ? phases.every((p) => p.auditOk === true) : null,
    phases,
  };
}

const adminToken = (): Promise<string> => tokenSigner(process.env.JWT_SECRET ?? JWT_SECRET)("bench-admin", "admin");

function printTable(r: Record<string, unknown>): void {
  const rows: [string, unknown, string][] = [
    ["stack orders/s (closed loop)", r.ordersPerSec, ""],
    ["stack p50 / p95 / p99 ms", `${String(r.p50Ms)} / ${String(r.p95Ms)} / ${String(r.p99Ms)}`, ""],
    ["half-load p99 ms (open loop)", r.halfLoadP99Ms, "target < 25"],
    ["raw-SQL half-load p99 ms (open loop)", r.rawSqlHalfLoadP99Ms, ""],
    ["half-load p99 / raw-SQL's", r.halfLoadP99VsRawSql, "target ≤ 2"],
    ["product read / /healthz rate", r.readProductVsHealthz, "target ≥ 0.5"],
    ["order lookup / /healthz rate", r.readOrderVsHealthz, "target ≥ 0.5"],
    ["in-process orders/s", r.inProcessOrdersPerSec, ""],
    ["raw-SQL orders/s", r.rawSqlOrdersPerSec, ""],
    ["ratio vs in-process", r.ratioVsInProcess, "target ≥ 0.6"],
    ["ratio vs raw SQL", r.ratioVsRawSql, "target ≥ 0.5"],
    ["overload: goodput / capacity (min)", r.overloadGoodputShareMin, "target ≥ 0.9"],
    ["overload: shed p99 ms (max), client side", r.overloadShedP99MsMax, "target ≤ 20"],
    ["overload: shed p99 ms (max), inside the gateway", r.overloadShedGatewayP99MsMax, "target ≤ 20"],
    [
      "overload: load generator's loop delay p99 ms",
      r.overloadClientLoopDelayP99MsMax,
      "part of every client-side figure",
    ],
    [
      "overload: gateway's loop delay p99 ms",
      r.overloadGatewayLoopDelayP99MsMax,
      "waits before the gateway sees a request",
    ],
    [
      "overload: accepted p99 ms (max)",
      r.overloadAcceptedP99MsMax,
      `target ≤ ${String(r.overloadAcceptedP99LimitMs)} (2× p99 at 80 %)`,
    ],
    [
      "overload: 500s / connection errors",
      `${String(r.overload500s)} / ${String(r.overloadConnectionErrors)}`,
      "target 0 / 0",
    ],
    ["overload: recovery ms (max)", r.overloadRecoveryMsMax, "target ≤ 1000"],
    ["overload: audit after each phase", r.overloadAuditOk, ""],
    ["breaker open: gateway p99 ms", r.breakerOpenGatewayP99Ms, "target < 5"],
    ["breaker open: order service p99 ms", r.breakerOpenServiceP99Ms, "target < 1"],
    ["audit", r.auditOk, ""],
  ];
  console.log("");
  for (const [name, value, target] of rows) console.log(`${name.padEnd(38)} ${String(value).padStart(16)}   ${target}`);
  console.log(`\nstatus mix: ${JSON.stringify(r.statusMix)}; written to ${args.out}`);
}

if (!args["skip-main"]) await main();
const extraPhasesOk = await runExtraPhases(args, {
  smoke,
  run: runtime,
  built: !args["skip-main"] && !process.env.GATEWAY_URL,
  jwtSecret: JWT_SECRET,
  env: { LOG_LEVEL: "warn", DB_POOL_SIZE: String(params.dbPoolSize) },
  clients: params.concurrency,
  out: args.out,
  log,
});
if (!extraPhasesOk) process.exitCode = 1;
