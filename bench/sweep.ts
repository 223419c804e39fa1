/**
 * `npm run bench -- --sweep`: how cost grows. On a stack of its own (a fresh database), orders/s and
 * p99 against each input in turn, the others held fixed: the catalog (100 → 100,000 products, seeded
 * through the admin API, which is timed too), the clients (1, 8, 32, 128) and the lines per order
 * (1, 5, 20, 50). Every step is checked for growing worse than linearly (`growth.ts`); the report goes
 * to `sweep.json` and a chart to `sweep.svg` beside the main results.
 */
import { writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { startStack, type RunMode, type Stack, type StackOptions } from "@qc/devstack";
import { SCHEMA as INVENTORY_SCHEMA } from "@qc/inventory";
import { createTestDatabase } from "@qc/platform/testing";
import pg from "pg";
import { Pool } from "undici";
import { audit } from "./audit";
import { shortNumber, sweepSvg, type ChartPanel } from "./chart";
import { growthCheck, worseThanLinear, type GrowthCheck } from "./growth";
import { closedLoop, ms } from "./load";
import { answerLabel, SHED } from "./overload";
import { BENCH_CURRENCY, pick, seedBenchData, tokenSigner, type BenchData } from "./seed";

export interface SweepPoint {
  readonly x: number;
  readonly ordersPerSec: number;
  /** Order lines taken per second (orders/s × lines per order, where every order has the same count). */
  readonly linesPerSec: number | null;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Record<string, number>;
}

export interface SweepAxis {
  readonly input: "clients" | "products" | "lines per order";
  /** What was held fixed meanwhile. */
  readonly held: string;
  readonly points: SweepPoint[];
}

export interface SeedStep {
  readonly products: number;
  readonly added: number;
  /** Through the gateway's admin API (what an operator's import costs), or one SQL statement (a bulk load). */
  readonly method: "api" | "sql";
  readonly seconds: number;
  readonly perSecond: number;
}

export interface SweepReport {
  readonly at: string;
  readonly mode: "smoke" | "full";
  readonly runtime: RunMode;
  readonly secondsPerPoint: number;
  readonly warmupSecondsPerPoint: number;
  readonly axes: SweepAxis[];
  readonly seeding: SeedStep[];
  readonly growth: GrowthCheck[];
  /** Every step that grew worse than linearly, in words; README explains each one found. */
  readonly worseThanLinear: string[];
  readonly auditOk: boolean;
  readonly wallSeconds: number;
  readonly machine: { cores: number; cpu: string; node: string };
}

export interface SweepPlan {
  readonly clients: readonly number[];
  readonly products: readonly number[];
  readonly linesPerOrder: readonly number[];
  /** Clients of the catalog and order-size points. */
  readonly fixedClients: number;
  /** Catalog of the clients points (the first products of the catalog). */
  readonly clientsCatalog: number;
  /** Catalog steps up to this size are seeded through the admin API, larger ones in one SQL statement. */
  readonly apiSeedUpTo: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly customers: number;
}

export const FULL_PLAN: SweepPlan = {
  clients: [1, 8, 32, 128],
  products: [100, 1_000, 10_000, 100_000],
  linesPerOrder: [1, 5, 20, 50],
  fixedClients: 32,
  clientsCatalog: 1_000,
  // 90,000 products more through the API would take this machine ~10 minutes (one insert and commit
  // each, ~150/s at 16 connections): the last step is a bulk load.
  apiSeedUpTo: 10_000,
  durationMs: 10_000,
  warmupMs: 3_000,
  customers: 200,
};

/** CI: two values of each input, a second or so each; proves the phase and the report, not the speed. */
export const SMOKE_PLAN: SweepPlan = {
  clients: [1, 8],
  products: [100, 300],
  linesPerOrder: [1, 5],
  fixedClients: 8,
  clientsCatalog: 300,
  apiSeedUpTo: 300,
  durationMs: 1_500,
  warmupMs: 500,
  customers: 20,
};

type Line = { sku: string; quantity: number };

/** `n` distinct skus, one unit each, picked at random among the first `among` of `skus`. */
export function orderLines(
  skus: readonly string[],
  among: number,
  n: number,
  random: () => number = Math.random,
): Line[] {
  const pool = Math.min(among, skus.length);
  if (n > pool) throw new Error(`${n} distinct lines from ${pool} products`);
  const picked = new Set<string>();
  while (picked.size < n) picked.add(skus[Math.floor(random() * pool)]!);
  return [...picked].map((sku) => ({ sku, quantity: 1 }));
}

/** 1–3 lines, as the main bench orders (`randomLines`), among the first `among` skus. */
const usualLines = (skus: readonly string[], among: number) => () =>
  orderLines(skus, among, 1 + Math.floor(Math.random() * 3));

/**
 * A closed loop of `clients` posting orders through the gateway; sheds (503 OVERLOADED) wait the
 * second their Retry-After asks, and count in the status mix only (as in the main bench).
 */
export async function measureOrders(
  gatewayUrl: string,
  data: Pick<BenchData, "customers">,
  opts: { clients: number; durationMs: number; warmupMs: number; lines: () => Line[]; linesPerOrder?: number },
): Promise<SweepPoint & { requests: number }> {
  const http = new Pool(gatewayUrl, { connections: opts.clients, pipelining: 1 });
  const funded = data.customers.filter((c) => c.funded);
  try {
    const result = await closedLoop(
      async () => {
        const res = await http.request({
          method: "POST",
          path: "/v1/orders",
          headers: { authorization: `Bearer ${pick(funded).token}`, "content-type": "application/json" },
          body: JSON.stringify({ items: opts.lines() }),
        });
        return answerLabel(res);
      },
      {
        concurrency: opts.clients,
        durationMs: opts.durationMs,
        warmupMs: opts.warmupMs,
        pauseMs: (s) => (s === SHED ? 1_000 : 0),
        counts: (s) => s !== SHED,
      },
    );
    return {
      x: opts.clients,
      requests: result.requests,
      ordersPerSec: Math.round(result.perSecond * 10) / 10,
      linesPerSec: opts.linesPerOrder ? Math.round(result.perSecond * opts.linesPerOrder) : null,
      p50Ms: ms(result.histogram, 50),
      p99Ms: ms(result.histogram, 99),
      statuses: result.statuses,
    };
  } finally {
    await http.close();
  }
}

/**
 * `startStack`, keeping each service's last output lines (LOG_LEVEL=warn: few) and printing them
 * when the stack fails to start, so the reason shows instead of only "exited with code 1".
 */
export async function startQuietStack(options: Omit<StackOptions, "log">, log: (msg: string) => void): Promise<Stack> {
  const recent = new Map<string, string[]>();
  try {
    return await startStack({
      ...options,
      log: (_service, line, label) => {
        const lines = recent.get(label) ?? [];
        lines.push(line.slice(0, 1_000));
        recent.set(label, lines.slice(-10));
      },
    });
  } catch (err) {
    for (const [label, lines] of recent) for (const line of lines) log(`  ${label}: ${line}`);
    throw err;
  }
}

/** Products through the admin API (as an operator's import would), `connections` at a time. */
async function seedProducts(
  gatewayUrl: string,
  jwtSecret: string,
  skus: readonly string[],
  connections = 16,
): Promise<void> {
  const admin = await tokenSigner(jwtSecret)("bench-admin", "admin");
  const http = new Pool(gatewayUrl, { connections });
  let next = 0;
  const worker = async () => {
    while (next < skus.length) {
      const i = next++;
      const res = await http.request({
        method: "POST",
        path: "/v1/admin/products",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: JSON.stringify({
          sku: skus[i],
          name: `Sweep product ${i}`,
          priceCents: 50 + ((i * 37) % 950),
          currency: BENCH_CURRENCY,
          stock: SWEEP_STOCK,
        }),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`seeding ${skus[i]}: ${res.statusCode} ${text}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    await http.close();
  }
}

/** Products straight into the inventory's table, in one statement (as a bulk load would). */
async function bulkLoadProducts(databaseUrl: string, skus: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO ${INVENTORY_SCHEMA}.products (sku, name, price_cents, currency, stock)
       SELECT sku, 'Sweep product ' || n, 50 + (n * 37) % 950, $2, $3 FROM unnest($1::text[]) WITH ORDINALITY AS t (sku, n)`,
      [skus, BENCH_CURRENCY, SWEEP_STOCK],
    );
  } finally {
    await client.end();
  }
}

/** The stock of every seeded product: the main bench's, far more than any sweep takes. */
const SWEEP_STOCK = 1_000_000;

/** The growth checks of a sweep: per-order cost (1 / orders/s at saturation) and p99 against each input, and seeding time against products. */
export function sweepGrowth(axes: readonly SweepAxis[], seeding: readonly SeedStep[]): GrowthCheck[] {
  const checks: GrowthCheck[] = [];
  for (const axis of axes) {
    checks.push(
      growthCheck(
        axis.input,
        "ms of capacity per order (1000 / orders/s)",
        axis.points.map((p) => ({ x: p.x, y: p.ordersPerSec > 0 ? 1000 / p.ordersPerSec : 0 })),
      ),
    );
    checks.push(
      growthCheck(
        axis.input,
        "p99 ms",
        axis.points.map((p) => ({ x: p.x, y: p.p99Ms })),
      ),
    );
  }
  const api = seeding.filter((s) => s.method === "api");
  if (api.length > 1)
    checks.push(
      growthCheck(
        "products",
        "seconds to seed the catalog through the API up to that size",
        api.map((s, i) => ({ x: s.products, y: api.slice(0, i + 1).reduce((t, x) => t + x.seconds, 0) })),
      ),
    );
  return checks;
}

export function sweepPanels(report: Pick<SweepReport, "axes">): ChartPanel[] {
  const notes: Record<SweepAxis["input"], { title: string; xLabel: string }> = {
    clients: { title: "Concurrency", xLabel: "clients (log scale)" },
    products: { title: "Catalog size", xLabel: "products in the catalog (log scale)" },
    "lines per order": { title: "Order size", xLabel: "lines per order (log scale)" },
  };
  return report.axes.map((a) => ({ ...notes[a.input], note: a.held, points: a.points }));
}

export async function runSweep(opts: {
  readonly smoke: boolean;
  readonly run: RunMode;
  readonly jwtSecret: string;
  readonly env: Record<string, string>;
  readonly outDir: string;
  readonly log: (msg: string) => void;
  readonly plan?: SweepPlan;
}): Promise<SweepReport> {
  const plan = opts.plan ?? (opts.smoke ? SMOKE_PLAN : FULL_PLAN);
  const { log } = opts;
  const began = Date.now();
  const db = await createTestDatabase("qc_bench_sweep");
  let stack: Stack | null = null;
  try {
    log(`sweep: starting a stack of its own (${opts.run}) on ${db.name}`);
    // The catalog is imported by one admin: its per-principal rate limit (100/s by default) would
    // make the import a test of the limiter.
    stack = await startQuietStack(
      {
        databaseUrl: db.url,
        jwtSecret: opts.jwtSecret,
        env: { ...opts.env, RATE_LIMIT_PER_PRINCIPAL: "1000000000" },
        run: opts.run,
      },
      log,
    );
    const gatewayUrl = stack.gatewayUrl;
    const [firstSize, ...laterSizes] = [...plan.products].sort((a, b) => a - b);
    let t0 = Date.now();
    const data = await seedBenchData(gatewayUrl, opts.jwtSecret, {
      products: firstSize!,
      customers: plan.customers,
      declinedShare: 0,
    });
    const skus = [...data.skus];
    const seeding: SeedStep[] = [
      { products: skus.length, added: skus.length, method: "api", seconds: (Date.now() - t0) / 1000, perSecond: 0 },
    ];
    const point = (clients: number, among: number, lines: number | null) =>
      measureOrders(gatewayUrl, data, {
        clients,
        durationMs: plan.durationMs,
        warmupMs: plan.warmupMs,
        lines: lines === null ? usualLines(skus, among) : () => orderLines(skus, among, lines),
        ...(lines === null ? {} : { linesPerOrder: lines }),
      });
    const logPoint = (what: string, p: SweepPoint) =>
      log(`  ${what}: ${p.ordersPerSec} orders/s, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms ${JSON.stringify(p.statuses)}`);

    const catalog: SweepPoint[] = [];
    const clients: SweepPoint[] = [];
    const measureCatalog = async () => {
      const p = await point(plan.fixedClients, skus.length, null);
      catalog.push({ ...p, x: skus.length });
      logPoint(`${shortNumber(skus.length)} products, ${plan.fixedClients} clients`, p);
    };
    const measureClients = async () => {
      for (const c of plan.clients) {
        const p = await point(c, plan.clientsCatalog, null);
        clients.push({ ...p, x: c });
        logPoint(`${c} clients, ${shortNumber(plan.clientsCatalog)} products`, p);
      }
    };
    log(
      `sweep: catalog ${plan.products.map(shortNumber).join(" → ")} products, ${plan.fixedClients} clients, 1–3 lines per order, ${plan.durationMs / 1000} s per point after ${plan.warmupMs / 1000} s`,
    );
    await measureCatalog();
    for (const size of laterSizes) {
      const added = Array.from({ length: size - skus.length }, (_, i) => `${skus[0]}-s${skus.length + i}`);
      const method = size <= plan.apiSeedUpTo ? "api" : "sql";
      t0 = Date.now();
      if (method === "api") await seedProducts(gatewayUrl, opts.jwtSecret, added);
      else await bulkLoadProducts(db.url, added);
      const seconds = (Date.now() - t0) / 1000;
      skus.push(...added);
      seeding.push({
        products: skus.length,
        added: added.length,
        method,
        seconds,
        perSecond: Math.round(added.length / seconds),
      });
      log(
        `  seeded ${added.length} products (${method === "api" ? "admin API" : "one SQL statement"}) in ${seconds.toFixed(1)} s (${Math.round(added.length / seconds)}/s), catalog ${skus.length}`,
      );
      await measureCatalog();
      if (skus.length === plan.clientsCatalog) {
        log(`sweep: clients ${plan.clients.join(", ")} on the first ${shortNumber(plan.clientsCatalog)} products`);
        await measureClients();
      }
    }
    if (clients.length === 0) await measureClients();
    log(
      `sweep: lines per order ${plan.linesPerOrder.join(", ")} among ${shortNumber(skus.length)} products, ${plan.fixedClients} clients`,
    );
    const sizes: SweepPoint[] = [];
    for (const n of plan.linesPerOrder) {
      const p = await point(plan.fixedClients, skus.length, n);
      sizes.push({ ...p, x: n });
      logPoint(`${n} lines per order (${p.linesPerSec ?? "-"} lines/s)`, p);
    }
    const auditResult = await audit(db.url, new Map(skus.map((s) => [s, SWEEP_STOCK])));
    log(`sweep: audit ${auditResult.ok ? "ok" : auditResult.problems.join("; ")}`);

    const axes: SweepAxis[] = [
      { input: "clients", held: `${shortNumber(plan.clientsCatalog)} products, 1–3 lines per order`, points: clients },
      { input: "products", held: `${plan.fixedClients} clients, 1–3 lines per order`, points: catalog },
      {
        input: "lines per order",
        held: `${plan.fixedClients} clients, ${shortNumber(skus.length)} products`,
        points: sizes,
      },
    ];
    const growth = sweepGrowth(axes, seeding);
    const report: SweepReport = {
      at: new Date().toISOString(),
      mode: opts.smoke ? "smoke" : "full",
      runtime: opts.run,
      secondsPerPoint: plan.durationMs / 1000,
      warmupSecondsPerPoint: plan.warmupMs / 1000,
      axes,
      seeding: seeding.map((s, i) => (i === 0 ? { ...s, perSecond: Math.round(s.added / s.seconds) } : s)),
      growth,
      worseThanLinear: worseThanLinear(growth),
      auditOk: auditResult.ok,
      wallSeconds: Math.round((Date.now() - began) / 1000),
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? "?", node: process.version },
    };
    await writeFile(join(opts.outDir, "sweep.json"), JSON.stringify(report, null, 2) + "\n");
    const svg = sweepSvg({
      title: "How cost grows: orders/s and p99 against clients, catalog size and order size",
      subtitle: `npm run bench -- --sweep${opts.run === "dist" ? " --compiled" : ""}; ${report.machine.cores} cores, ${report.at.slice(0, 16).replace("T", " ")} UTC; ${report.secondsPerPoint} s per point, closed loop`,
      panels: sweepPanels(report),
    });
    await writeFile(join(opts.outDir, "sweep.svg"), svg);
    for (const w of report.worseThanLinear) log(`  worse than linear: ${w}`);
    log(
      `sweep: ${report.worseThanLinear.length} step(s) worse than linear; written to ${join(opts.outDir, "sweep.json")} and sweep.svg (${report.wallSeconds} s)`,
    );
    return report;
  } finally {
    await stack?.stop();
    await db.drop();
  }
}
