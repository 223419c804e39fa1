import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { isListeningMessage } from "@qc/platform/readiness";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * What a service process runs: `source`, its TypeScript under tsx (development, tests); `dist`, the
 * JavaScript `npm run build` compiled, as production runs it. The default is the
 * environment's `QC_RUN` (`dist` or `source`), else `source`.
 */
export type RunMode = "source" | "dist";

export function defaultRunMode(env: NodeJS.ProcessEnv = process.env): RunMode {
  const value = env.QC_RUN;
  if (value === undefined || value === "" || value === "source") return "source";
  if (value === "dist") return "dist";
  throw new Error(`QC_RUN=${value}: expected dist or source`);
}

/**
 * V8 settings of every service, here and in the image (deploy/Dockerfile's CMD; compiled.test.ts holds
 * the two equal). A young generation of at most 2 × 4 MiB instead of V8's 2 × 16 MiB: under load it
 * grows to its maximum, and V8 gives it back only when its memory reducer runs, which after a load
 * can take minutes or not happen at all (bench/README.md), so an idle service kept 24 MiB more than it
 * needs. A request's garbage dies young at either size: the bench's ratio to the in-process build and
 * each service's CPU per order stay the same, and the gateway's scavenges get shorter (a shorter stall
 * for the requests that meet one).
 */
export const SERVICE_V8_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/**
 * Environment of every service process, under what its launcher gives it, here and in the image
 * (deploy/Dockerfile's ENV; compiled.test.ts holds the two equal). A fixed glibc trim threshold: by
 * default glibc raises it (up to 64 MiB) each time a large block is freed, and then keeps freed memory
 * at the top of its heaps instead of giving it back, so a service held native memory its busiest
 * moments had needed (the gateway 98–110 MiB idle after the bench's read phases, 95–100 with it).
 */
export const SERVICE_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: "131072" };

/**
 * The node arguments that run a service. The telemetry register is preloaded either way, so Postgres
 * and Redis calls become spans when tracing is on; it does nothing otherwise.
 */
export function serviceCommand(name: ServiceName, mode: RunMode): string[] {
  if (mode === "source")
    return [
      ...SERVICE_V8_FLAGS,
      "--import",
      "tsx",
      "--import",
      "@qc/platform/telemetry/register",
      `services/${name}/src/main.ts`,
    ];
  // No --enable-source-maps: see scripts/build.ts for why.
  return [...SERVICE_V8_FLAGS, "--import", "@qc/platform/dist/telemetry/register", `services/${name}/dist/main.js`];
}

/** Fails unless `npm run build` has compiled the service and the telemetry register. */
export function assertBuilt(name: ServiceName, root: string = ROOT): void {
  for (const file of [`services/${name}/dist/main.js`, "packages/platform/dist/telemetry/register.js"]) {
    if (!existsSync(join(root, file)))
      throw new Error(`${file} is missing: run \`npm run build\` first (QC_RUN=dist runs the compiled services)`);
  }
}

export type ServiceName = "inventory" | "payment" | "rider" | "order" | "gateway";

/** Receives each line a service prints; `label` tells replicas of one service apart (e.g. `order-2`). */
export type LogSink = (service: ServiceName, line: string, label: string) => void;

/** A service could not listen: a port picked free a moment ago was taken by another process meanwhile. */
export class PortTakenError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly label: string,
  ) {
    super(`${label} could not listen: a port it was given (its own or its metrics port) was taken by another process`);
  }
}

/**
 * One service as a real OS process (`node --import tsx services/<name>/src/main.ts`, or its compiled
 * `services/<name>/dist/main.js`, see `RunMode`), which can be killed, paused and restarted, as
 * fault-injection tests and the launcher need.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    readonly env: NodeJS.ProcessEnv,
    private readonly log: LogSink,
    private readonly nodeArgs: readonly string[] = [],
    /** How logs and reports name this process: the service's name, or e.g. `order-2` for a second replica. */
    readonly label: string = name,
    /** Its TypeScript under tsx, or the compiled JavaScript. */
    readonly runMode: RunMode = defaultRunMode(),
  ) {}

  /** Where the process serves Prometheus `/metrics` (its METRICS_PORT), or null when it serves none. */
  get metricsPort(): number | null {
    const port = Number(this.env.METRICS_PORT);
    return Number.isInteger(port) && port > 0 ? port : null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts the process and resolves once it says it listens on its port (over the IPC channel, see
   * `announceListening`). Waiting for the port to answer is not enough: a port picked free a moment
   * ago may be taken by another process meanwhile, which would answer for this one while it exits
   * with EADDRINUSE. Generous by default: a first start without DATABASE_URL initialises an embedded
   * database, seconds of CPU on a busy machine.
   */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.runMode === "dist") assertBuilt(this.name);
    const child = spawn(process.execPath, [...this.nodeArgs, ...serviceCommand(this.name, this.runMode)], {
      cwd: ROOT,
      env: { ...SERVICE_PROCESS_ENV, ...this.env },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const lastLines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        lastLines.push(line);
        if (lastLines.length > 20) lastLines.shift();
        this.log(this.name, line, this.label);
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const listening = new Promise<void>((resolve, reject) => {
      child.on("message", (m) => {
        if (isListeningMessage(m) && m.port === this.port) resolve();
      });
      timer = setTimeout(
        () => reject(new Error(`${this.label} did not listen on port ${this.port} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    // "close", not "exit": by then its output has been read to the end.
    const closed = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const failed = closed.then((code) => {
      throw lastLines.some((l) => l.includes("EADDRINUSE"))
        ? new PortTakenError(this.name, this.label)
        : new Error(`${this.label} exited with code ${code} before listening`);
    });
    try {
      await Promise.race([listening, failed]);
    } finally {
      clearTimeout(timer);
      failed.catch(() => undefined);
      listening.catch(() => undefined);
      if (child.connected) child.disconnect();
    }
  }

  /** Sends a signal; SIGKILL simulates a crash, SIGSTOP a hang, SIGCONT a recovery from it. */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /**
   * Asks the process to stop (SIGTERM, then SIGKILL after `graceMs`) and resolves with its exit code
   * (0: it drained and stopped cleanly). The default grace outlasts a service's own SHUTDOWN_TIMEOUT_MS (10 s).
   */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.signal("SIGKILL");
    await this.exited;
  }

  /** A crash and its recovery: SIGKILL (if it runs), then started again on the same port with the same environment. */
  async restart(timeoutMs?: number): Promise<void> {
    await this.kill();
    await this.start(timeoutMs);
  }

  waitForExit(): Promise<number | null> {
    return this.exited;
  }
}
