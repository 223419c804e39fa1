/**
 * `npm run chaos`: the platform as processes under a closed loop of orders while a seeded schedule of
 * faults hits it (hangs, kills, network delay/drop/cut on every link, Postgres backends terminated,
 * Redis restarted); then the faults stop, the platform settles, and the audit checks that stock,
 * money, orders, riders and sagas are consistent. docs/chaos.md says how to run and read it.
 */
import { randomInt } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { audit } from "../bench/audit";
import { FaultInjector } from "./faults";
import { checkInvariants, type Ledgers, type Violation } from "./invariants";
import { readEmbeddedLedgers, readPostgresLedgers } from "./ledgers";
import { startLoad } from "./load";
import { CATALOG_CACHE_TTL_MS, startPlatform, type ChaosPlatform, type Mode } from "./platform";
import { substream } from "./prng";
import {
  faultsSummary,
  ordersSummary,
  printTable,
  requestsSummary,
  saveResult,
  violationsSummary,
  type ChaosResult,
} from "./report";
import { applicableKinds, DEFAULT_PER_KIND_PER_300S, planFaults, type FaultTargets } from "./schedule";
import { seedChaosData } from "./seed";
import { compareRest, listOrders, readRest, settle } from "./settle";
import { timelineSvg } from "./timeline";

/** A full run: ≥ 50 faults of every kind and, on this machine kind, over 10,000 orders. */
const FULL_RUN_S = 900;
const DEFAULT_CLIENTS = 48;

const { values: args } = parseArgs({
  options: {
    duration: { type: "string" },
    short: { type: "boolean", default: false },
    seed: { type: "string" },
    embedded: { type: "boolean", default: false },
    clients: { type: "string", default: String(DEFAULT_CLIENTS) },
    "lease-ms": { type: "string", default: "5000" },
    "settle-timeout": { type: "string", default: "120" },
    density: { type: "string", default: String(DEFAULT_PER_KIND_PER_300S) },
    out: { type: "string", default: "chaos/results/latest.json" },
    keep: { type: "boolean", default: false },
    "log-level": { type: "string", default: "warn" },
  },
});

const mode: Mode = args.embedded ? "embedded" : "postgres";
const durationS = args.duration !== undefined ? Number(args.duration) : args.short ? 60 : FULL_RUN_S;
const seed = args.seed !== undefined ? Number(args.seed) : randomInt(2 ** 31);
const clients = Number(args.clients);
const leaseMs = Number(args["lease-ms"]);
const settleBoundMs = Number(args["settle-timeout"]) * 1000;
const density = Number(args.density);
for (const [name, value] of Object.entries({
  duration: durationS,
  seed,
  clients,
  "lease-ms": leaseMs,
  "settle-timeout": settleBoundMs,
  density,
})) {
  if (!Number.isInteger(value) || value < 0 || (name !== "seed" && value === 0)) {
    console.error(`--${name} must be a positive whole number`);
    process.exit(2);
  }
}
const outDir = dirname(args.out);
const JWT_SECRET = "chaos-secret-0123456789abcdef-0123456789";
const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const replay = `npm run chaos -- --seed ${seed} --duration ${durationS}${args.embedded ? " --embedded" : ""}${clients !== DEFAULT_CLIENTS ? ` --clients ${clients}` : ""}${leaseMs !== 5000 ? ` --lease-ms ${leaseMs}` : ""}${density !== DEFAULT_PER_KIND_PER_300S ? ` --density ${density}` : ""}`;

async function main(): Promise<number> {
  await mkdir(outDir, { recursive: true });
  log(`mode ${mode}, seed ${seed}, ${durationS} s of faults (replay: ${replay})`);
  const logFile = join(outDir, `${mode}-services.log`);
  const platform = await startPlatform({ mode, jwtSecret: JWT_SECRET, logFile, leaseMs, logLevel: args["log-level"] });
  log(
    `platform up: ${[...platform.processes.keys()].join(", ")}; ${platform.proxies.size} fault proxies; ${platform.database ? `database ${platform.database.name}` : `DATA_DIR ${platform.dataDir}`}${platform.redis ? `, redis ${platform.redis.url}` : ""}; service logs in ${logFile}`,
  );
  platform.designLimits.push(
    "the gateway is killed, never hung: a frozen gateway (the one front door) holds every client's request for as long as it is frozen, which measures the schedule, not the platform",
  );
  for (const limit of platform.designLimits) log(`design limit: ${limit}`);
  const interrupted = () => {
    log("interrupted: resuming every process and stopping");
    void platform.dispose(args.keep).finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  // Whatever happens, no service process outlives the runner (a SIGSTOPped one least of all).
  process.once("exit", () => {
    for (const p of platform.processes.values()) {
      p.signal("SIGCONT");
      p.signal("SIGKILL");
    }
  });
  try {
    return await run(platform);
  } finally {
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
    await platform.dispose(args.keep);
    if (args.keep)
      log(`kept: ${platform.database ? `database ${platform.database.name}` : `DATA_DIR ${platform.dataDir}`}`);
  }
}

async function run(platform: ChaosPlatform): Promise<number> {
  const data = await seedChaosData(platform.gatewayUrl, JWT_SECRET, seed.toString(36), {
    products: 40,
    scarceProducts: 4,
    customers: 60,
    unfundedCustomers: 8,
    riders: 16,
  });
  log(
    `seeded ${data.skus.length} products (${data.scarce.size} scarce), ${data.customers.length} customers (${data.customers.filter((c) => !c.funded).length} without money), ${data.riders.length} riders`,
  );

  const targets: FaultTargets = {
    processes: [...platform.processes.keys()],
    // Not the gateway: a frozen gateway holds every client's request for as long as it is frozen,
    // which says nothing about the platform's deadlines (no-hang). It is killed instead.
    hangable: [...platform.processes.keys()].filter((p) => p !== "gateway"),
    links: [...platform.proxies.keys()],
    database: platform.database !== null,
    redis: platform.redis !== null,
  };
  const schedule = planFaults({ seed, durationMs: durationS * 1000, targets, perKindPer300s: density });
  const injector = new FaultInjector(platform, log);
  const load = startLoad({ gatewayUrl: platform.gatewayUrl, data, clients, random: substream(seed, 100) });
  const startedAt = Date.now();
  log(`load: ${clients} customers ordering, ${data.riders.length} riders; ${schedule.length} faults planned`);
  const progress = setInterval(() => {
    const orders = load.answers.filter((a) => a.kind === "order");
    const recent = orders.filter((a) => a.endedAt > Date.now() - 10_000);
    const statuses = Object.entries(requestsSummary(recent).order ?? {}).map(([k, v]) => `${k}:${v}`);
    log(
      `t+${Math.round((Date.now() - startedAt) / 1000)} s: ${orders.length} order answers (last 10 s: ${statuses.join(" ")}); ${injector.records.length} faults done`,
    );
  }, 10_000);
  const faultsDone = injector.run(schedule, startedAt);
  await Promise.race([faultsDone, sleep(durationS * 1000 + 30_000)]);
  await sleep(Math.max(0, startedAt + durationS * 1000 - Date.now()));
  await injector.end();
  await faultsDone;
  const faultsEndedAt = Date.now();
  log(`faults over (${injector.records.filter((r) => !r.skipped).length} injected); stopping the load`);
  await load.stop();
  clearInterval(progress);

  log("settling: waiting for no PENDING order and no open dead letter");
  const pendingCount = platform.database
    ? postgresPending(platform.database.url)
    : restPending(platform.gatewayUrl, data);
  const settled = await settle({
    gatewayUrl: platform.gatewayUrl,
    adminToken: data.adminToken,
    pendingCount,
    boundMs: settleBoundMs,
    replayAfterMs: 20_000,
    note: log,
  });
  const settledAt = Date.now();
  log(
    settled.settled
      ? `settled in ${settled.seconds.toFixed(1)} s`
      : `NOT settled after ${settled.seconds.toFixed(1)} s: ${settled.pending ?? "?"} PENDING, ${settled.openDeadLetters.length} open dead letters`,
  );

  // Past the catalog cache's TTL, the public API must show what the databases hold.
  await sleep(CATALOG_CACHE_TTL_MS + 1_000);
  injector.release();
  let ledgers: Ledgers;
  let exitCodes: Record<string, number | null>;
  let sqlAudit: ChaosResult["sqlAudit"] = null;
  const rest = await readRest(platform.gatewayUrl, data);
  if (platform.database) {
    ledgers = await readPostgresLedgers(platform.database.url);
    exitCodes = await platform.stopServices();
  } else {
    // The embedded databases can be opened only once their services have stopped.
    exitCodes = await platform.stopServices();
    ledgers = await readEmbeddedLedgers(platform.dataDir!);
  }
  log(
    `audit: ${ledgers.orders.length} orders, ${ledgers.reservations.length} reservations, ${ledgers.charges.length} charges, ${ledgers.deadLetters.length} dead letters`,
  );
  const { violations, notes } = checkInvariants(ledgers, {
    initialStock: data.initialStock,
    restocks: load.restocks,
    credits: data.credits,
    uncertainCredits: data.uncertainCredits,
    answers: load.answers,
    crashes: injector.crashes,
  });
  violations.push(...compareRest(rest, ledgers, data));
  if (platform.database) {
    const sql = await audit(platform.database.url, notes.expectedStock, 0);
    sqlAudit = { ok: sql.ok, problems: sql.problems, agrees: sqlAgrees(sql.problems, violations) };
  }

  const svgPath = join(outDir, `${mode}-timeline.svg`);
  const processRows = [...platform.processes.keys()];
  const extraRows = [...(platform.database ? ["postgres"] : []), ...(platform.redis ? ["redis"] : [])];
  await writeFile(
    svgPath,
    timelineSvg({
      title: `chaos run, ${mode} mode, seed ${seed}: ${durationS} s of faults, then settling`,
      startedAt,
      faultsEndedAt,
      settledAt,
      faults: injector.records,
      targets: [...processRows, ...platform.proxies.keys(), ...extraRows],
      answers: load.answers,
    }),
  );
  const openLetters = ledgers.deadLetters.filter((d) => d.status === "open").length;
  const result: ChaosResult = {
    at: new Date().toISOString(),
    mode,
    seed,
    replay,
    ok: violations.length === 0 && (sqlAudit?.agrees ?? true),
    durationS,
    clients,
    sagaLeaseMs: leaseMs,
    orders: ordersSummary(load.answers, ledgers, load.placed(), load.delivered()),
    requests: requestsSummary(load.answers),
    faults: faultsSummary(schedule, injector.records, applicableKinds(targets), startedAt, mode),
    processes: {
      restarts: Object.fromEntries(injector.restarts),
      crashes: injector.crashes,
      exitCodesAtStop: exitCodes,
    },
    restocks: {
      certain: load.restocks.filter((r) => r.certain).length,
      lostAnswers: notes.uncertainRestocks,
      lostAnswersApplied: notes.uncertainRestocksApplied,
    },
    deadLetters: {
      total: ledgers.deadLetters.length,
      resolved: ledgers.deadLetters.length - openLetters,
      open: openLetters,
      replayedByRunner: settled.replayed,
    },
    settle: {
      settled: settled.settled,
      seconds: Math.round(settled.seconds * 10) / 10,
      pendingLeft: settled.pending,
      unresolvedDeadLetters: settled.openDeadLetters,
    },
    violations: violationsSummary(violations, ledgers, injector.records, startedAt),
    sqlAudit,
    designLimits: platform.designLimits,
    timeline: svgPath,
  };
  await saveResult(args.out, result);
  printTable(result, (line) => console.log(line));
  console.log(
    `\nwritten to ${args.out} (${mode} entry) and ${svgPath}; service logs in ${basename(join(outDir, `${mode}-services.log`))}`,
  );
  return result.ok ? 0 : 1;
}

/** The SQL audit (bench/audit.ts) flags only what the runner's audit flags too. */
function sqlAgrees(problems: readonly string[], violations: readonly Violation[]): boolean {
  const has = (invariant: Violation["invariant"]) => violations.some((v) => v.invariant === invariant);
  return problems.every((p) =>
    /PENDING/.test(p)
      ? has("no-pending")
      : /^sku /.test(p)
        ? has("stock-conserved")
        : /: credits /.test(p)
          ? has("money-conserved")
          : /charge/.test(p)
            ? has("charges-match-orders")
            : false,
  );
}

function postgresPending(databaseUrl: string): () => Promise<number | null> {
  return async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM orders.orders WHERE status = 'PENDING'",
      );
      return Number(rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  };
}

/** Embedded: the databases are inside the services, so PENDING orders are counted as customers list them. */
function restPending(gatewayUrl: string, data: Parameters<typeof listOrders>[1]): () => Promise<number | null> {
  return async () => {
    const orders = await listOrders(gatewayUrl, data);
    return orders ? [...orders.values()].filter((s) => s === "PENDING").length : null;
  };
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 2;
});
