/**
 * The benchmark's opt-in phases, each on stacks of its own after the main phases (or instead of them
 * with `--skip-main`): `--sweep` (how cost grows, `sweep.ts`) and `--telemetry` (what tracing costs,
 * `telemetry-cost.ts`). Their reports go beside the main results: `sweep.json`, `sweep.svg`,
 * `telemetry.json`.
 */
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { RunMode } from "@qc/devstack";
import { runSweep } from "./sweep";
import { runTelemetryCost } from "./telemetry-cost";

/** parseArgs options of these phases, spread into the benchmark's own. */
export const extraPhaseOptions = {
  /** How cost grows: clients, catalog size and order size swept (`sweep.json`, `sweep.svg`). */
  sweep: { type: "boolean", default: false },
  /** Tracing off, at 100 % and at 10 % sampling, in one run (`telemetry.json`). */
  telemetry: { type: "boolean", default: false },
  /** Only the phases asked for with --sweep / --telemetry; the main results file is left alone. */
  "skip-main": { type: "boolean", default: false },
} as const;

export interface ExtraPhaseArgs {
  readonly sweep: boolean | undefined;
  readonly telemetry: boolean | undefined;
  readonly "skip-main": boolean | undefined;
}

/** Runs the phases asked for; false when the sweep's audit failed (targets are reported, as in the main table, not enforced). */
export async function runExtraPhases(
  args: ExtraPhaseArgs,
  ctx: {
    smoke: boolean;
    run: RunMode;
    built: boolean;
    jwtSecret: string;
    env: Record<string, string>;
    clients: number;
    out: string;
    log: (msg: string) => void;
  },
): Promise<boolean> {
  if (!args.sweep && !args.telemetry) return true;
  const outDir = dirname(ctx.out);
  await mkdir(outDir, { recursive: true });
  if (ctx.run === "dist" && !ctx.built) {
    ctx.log("compiling the services (npm run build)");
    execFileSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], { stdio: "inherit" });
  }
  let ok = true;
  if (args.sweep) {
    const report = await runSweep({
      smoke: ctx.smoke,
      run: ctx.run,
      jwtSecret: ctx.jwtSecret,
      env: ctx.env,
      outDir,
      log: ctx.log,
    });
    ok &&= report.auditOk;
  }
  if (args.telemetry) {
    // At most 8 clients: they saturate the stack on 2 cores (see the sweep) with latencies short enough for a
    // slice to hold many orders per client, and without admission control shedding.
    const report = await runTelemetryCost({
      smoke: ctx.smoke,
      run: ctx.run,
      jwtSecret: ctx.jwtSecret,
      env: ctx.env,
      clients: Math.min(ctx.clients, 8),
      log: ctx.log,
    });
    const file = join(outDir, "telemetry.json");
    await writeFile(
      file,
      JSON.stringify(
        { at: new Date().toISOString(), mode: ctx.smoke ? "smoke" : "full", runtime: ctx.run, ...report },
        null,
        2,
      ) + "\n",
    );
    const pct = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)} %`);
    ctx.log(
      `tracing at 10 % costs ${pct(report.tenPercentCost)} of throughput (target ≤ 5 %) and ${pct(report.tenPercentCpuCost)} more services' CPU per order; ` +
        `at 100 % ${pct(report.hundredPercentCost)} and ${pct(report.hundredPercentCpuCost)}; written to ${file}`,
    );
  }
  return ok;
}
