import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import type { Crash, FaultRecord } from "./faults";
import {
  INVARIANTS,
  summarize,
  type HistoryRow,
  type Invariant,
  type Ledgers,
  type RecordedAnswer,
  type Violation,
} from "./invariants";
import type { Mode } from "./platform";
import { FAULT_KINDS, type FaultKind, type PlannedFault } from "./schedule";
import type { SettleResult } from "./settle";

export type FaultTally = { planned: number; injected: number; skipped: number } | "not applicable in embedded mode";

export interface ExampleViolation extends Violation {
  /** The order's history (as GET /v1/orders/{id} shows it), when the violation names an order. */
  readonly history?: string[];
  /** The faults under way while it happened (a request, a crash), when it happened at a time. */
  readonly faultsMeanwhile?: string[];
}

/** One mode's entry of chaos/results/latest.json. */
export interface ChaosResult {
  readonly at: string;
  readonly mode: Mode;
  readonly seed: number;
  readonly replay: string;
  readonly ok: boolean;
  readonly durationS: number;
  readonly clients: number;
  readonly sagaLeaseMs: number;
  readonly orders: {
    readonly placed: number;
    readonly answers: Record<string, number>;
    readonly inDatabase: number;
    readonly finalStatuses: Record<string, number>;
    readonly deliveredDuringRun: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
  };
  /** Every request the runner made, by kind, by answer (0: no answer, "hung": past the client deadline). */
  readonly requests: Record<string, Record<string, number>>;
  readonly faults: {
    readonly total: number;
    readonly byKind: Record<FaultKind, FaultTally>;
    readonly log: (FaultRecord & { atS: number; forS: number })[];
  };
  readonly processes: {
    readonly restarts: Record<string, number>;
    readonly crashes: Crash[];
    readonly exitCodesAtStop: Record<string, number | null>;
  };
  readonly restocks: { readonly certain: number; readonly lostAnswers: number; readonly lostAnswersApplied: number };
  readonly deadLetters: {
    readonly total: number;
    readonly resolved: number;
    readonly open: number;
    readonly replayedByRunner: number;
  };
  readonly settle: {
    readonly settled: boolean;
    readonly seconds: number;
    readonly pendingLeft: number | null;
    readonly unresolvedDeadLetters: SettleResult["openDeadLetters"];
  };
  readonly violations: {
    readonly total: number;
    readonly byInvariant: Record<Invariant, { count: number; examples: ExampleViolation[] }>;
  };
  /** Postgres mode: bench/audit.ts's cross-schema SQL audit of the same database, and whether it agrees. */
  readonly sqlAudit: { readonly ok: boolean; readonly problems: string[]; readonly agrees: boolean } | null;
  readonly designLimits: string[];
  readonly timeline: string;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)]!;
const tally = <T>(xs: readonly T[], key: (x: T) => string) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
};
/** How answers are counted: by status, a 503 also by its problem code (CIRCUIT_OPEN, SERVICE_UNAVAILABLE, …). */
export const answerKey = (a: RecordedAnswer) =>
  a.hung ? "hung" : a.status === 503 && a.code ? `503 ${a.code}` : String(a.status);

export const historyLines = (history: readonly HistoryRow[] | undefined): string[] =>
  (history ?? []).map(
    (h) => `${new Date(h.atMs).toISOString()} ${h.step}:${h.outcome}${h.detail ? ` ${h.detail}` : ""}`,
  );

export function ordersSummary(
  answers: readonly RecordedAnswer[],
  ledgers: Ledgers,
  placed: number,
  delivered: number,
): ChaosResult["orders"] {
  const orders = answers.filter((a) => a.kind === "order");
  const latencies = orders.map((a) => a.endedAt - a.startedAt).sort((a, b) => a - b);
  return {
    placed,
    answers: tally(orders, answerKey),
    inDatabase: ledgers.orders.length,
    finalStatuses: tally(ledgers.orders, (o) => o.status),
    deliveredDuringRun: delivered,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? 0,
  };
}

export function requestsSummary(answers: readonly RecordedAnswer[]): ChaosResult["requests"] {
  const out: Record<string, Record<string, number>> = {};
  for (const a of answers) {
    const byStatus = (out[a.kind] ??= {});
    byStatus[answerKey(a)] = (byStatus[answerKey(a)] ?? 0) + 1;
  }
  return out;
}

export function faultsSummary(
  planned: readonly PlannedFault[],
  records: readonly FaultRecord[],
  applicable: readonly FaultKind[],
  startedAt: number,
  mode: Mode,
): ChaosResult["faults"] {
  const byKind = {} as Record<FaultKind, FaultTally>;
  for (const kind of FAULT_KINDS) {
    if (!applicable.includes(kind)) {
      byKind[kind] = `not applicable in ${mode} mode` as "not applicable in embedded mode";
      continue;
    }
    const mine = records.filter((r) => r.kind === kind);
    byKind[kind] = {
      planned: planned.filter((p) => p.kind === kind).length,
      injected: mine.filter((r) => !r.skipped).length,
      skipped: mine.filter((r) => r.skipped).length,
    };
  }
  const log = [...records]
    .sort((a, b) => a.startedAt - b.startedAt)
    .map((r) => ({
      ...r,
      atS: Math.round((r.startedAt - startedAt) / 100) / 10,
      forS: Math.round((r.endedAt - r.startedAt) / 100) / 10,
    }));
  return { total: records.filter((r) => !r.skipped).length, byKind, log };
}

export function violationsSummary(
  violations: readonly Violation[],
  ledgers: Ledgers,
  faults: readonly FaultRecord[],
  startedAt: number,
): ChaosResult["violations"] {
  const grouped = summarize(violations);
  const byInvariant = {} as ChaosResult["violations"]["byInvariant"];
  const t = (ms: number) => `t+${((ms - startedAt) / 1000).toFixed(1)} s`;
  const meanwhile = (v: Violation) =>
    faults
      .filter(
        (f) =>
          !f.skipped &&
          v.from !== undefined &&
          v.until !== undefined &&
          f.startedAt <= v.until + 1_000 &&
          f.endedAt >= v.from - 1_000,
      )
      .map((f) => `${f.kind} ${f.target} ${t(f.startedAt)}–${t(f.endedAt)}: ${f.detail}`);
  for (const inv of INVARIANTS) {
    byInvariant[inv] = {
      count: grouped[inv].count,
      examples: grouped[inv].examples.map((v) => ({
        ...v,
        ...(v.orderId ? { history: historyLines(ledgers.history.get(v.orderId)) } : {}),
        ...(v.from !== undefined ? { faultsMeanwhile: meanwhile(v) } : {}),
      })),
    };
  }
  return { total: violations.length, byInvariant };
}

/** Writes this mode's entry into the results file, keeping the other mode's. */
export async function saveResult(path: string, result: ChaosResult): Promise<void> {
  let all: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      all = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    } catch {
      all = {};
    }
  }
  all[result.mode] = result;
  const ordered = Object.fromEntries(
    (["postgres", "embedded"] as const).filter((m) => m in all).map((m) => [m, all[m]]),
  );
  await writeFile(path, JSON.stringify(ordered, null, 2) + "\n");
}

const row = (name: string, value: string) => `${name.padEnd(16)} ${value}`;
const list = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(" · ") || "none";

/** The run as a table on the terminal. */
export function printTable(r: ChaosResult, print: (line: string) => void): void {
  print("");
  print(
    row(
      "chaos run",
      `${r.mode}, seed ${r.seed}, ${r.durationS} s of faults, ${r.clients} clients, saga lease ${r.sagaLeaseMs} ms`,
    ),
  );
  print(row("orders", `placed ${r.orders.placed}; answers: ${list(r.orders.answers)}`));
  print(row("", `latency p50 ${r.orders.p50Ms} ms, p99 ${r.orders.p99Ms} ms, max ${r.orders.maxMs} ms`));
  print(
    row(
      "final statuses",
      `${list(r.orders.finalStatuses)} (${r.orders.inDatabase} orders in the database; ${r.orders.deliveredDuringRun} delivered during the run)`,
    ),
  );
  print(
    row(
      "other requests",
      Object.entries(r.requests)
        .filter(([k]) => k !== "order")
        .map(([k, v]) => `${k}: ${list(v)}`)
        .join("; "),
    ),
  );
  print(row("faults", `${r.faults.total} injected`));
  print(
    `${"".padEnd(16)} ${"kind".padEnd(15)} ${"planned".padStart(7)} ${"injected".padStart(8)} ${"skipped".padStart(7)}`,
  );
  for (const kind of FAULT_KINDS) {
    const t = r.faults.byKind[kind];
    print(
      `${"".padEnd(16)} ${kind.padEnd(15)} ${typeof t === "string" ? t : `${String(t.planned).padStart(7)} ${String(t.injected).padStart(8)} ${String(t.skipped).padStart(7)}`}`,
    );
  }
  print(
    row(
      "processes",
      `restarts: ${list(r.processes.restarts)}; unexpected exits: ${r.processes.crashes.length}${r.processes.crashes.length ? ` (${r.processes.crashes.map((c) => `${c.label} code ${c.code}`).join(", ")})` : ""}`,
    ),
  );
  print(
    row(
      "",
      `exit codes at the graceful stop: ${Object.entries(r.processes.exitCodesAtStop)
        .map(([k, v]) => `${k} ${v}`)
        .join(" · ")}`,
    ),
  );
  print(
    row(
      "restocks",
      `${r.restocks.certain} answered; ${r.restocks.lostAnswers} with a lost answer (${r.restocks.lostAnswersApplied} of them took effect, by the stock)`,
    ),
  );
  print(
    row(
      "dead letters",
      `${r.deadLetters.total} (${r.deadLetters.resolved} resolved, ${r.deadLetters.open} open; ${r.deadLetters.replayedByRunner} replays by the runner while settling)`,
    ),
  );
  print(
    row(
      "settle",
      `${r.settle.settled ? "settled" : "NOT settled"} in ${r.settle.seconds.toFixed(1)} s${r.settle.pendingLeft ? `, ${r.settle.pendingLeft} still PENDING` : ""}`,
    ),
  );
  print(row("violations", `${r.violations.total}`));
  for (const inv of INVARIANTS) {
    const v = r.violations.byInvariant[inv];
    print(
      `${"".padEnd(16)} ${inv.padEnd(26)} ${String(v.count).padStart(6)}${v.examples[0] ? `   e.g. ${v.examples[0].message}` : ""}`,
    );
  }
  if (r.sqlAudit)
    print(
      row(
        "SQL audit",
        `${r.sqlAudit.ok ? "ok" : r.sqlAudit.problems.join("; ")}${r.sqlAudit.agrees ? "" : " — DISAGREES with the runner's audit"}`,
      ),
    );
  for (const limit of r.designLimits) print(row("design limit", limit));
  print(row("timeline", r.timeline));
  print(row("replay", r.replay));
  print(row("result", r.ok ? "OK: every invariant holds" : "VIOLATIONS (see above and the JSON)"));
}
