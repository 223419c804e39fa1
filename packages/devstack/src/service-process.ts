import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { waitForPort } from "./ports";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
// Preloaded so Postgres and Redis calls become spans when tracing is on; it does nothing otherwise.
const TELEMETRY_REGISTER = "@qc/platform/telemetry/register";

export type ServiceName = "inventory" | "payment" | "rider" | "order" | "gateway";

/** Receives each line a service prints; `label` tells replicas of one service apart (e.g. `order-2`). */
export type LogSink = (service: ServiceName, line: string, label: string) => void;

/**
 * One service as a real OS process (`node --import tsx services/<name>/src/main.ts`), which can be
 * killed, paused and restarted, as fault-injection tests and the launcher need.
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
   * Starts the process and resolves once it listens on its port. Generous by default: a first start
   * without DATABASE_URL initialises an embedded database, seconds of CPU on a busy machine.
   */
  async start(timeoutMs = 90_000): Promise<void> {
    const child = spawn(process.execPath, [...this.nodeArgs, "--import", "tsx", "--import", TELEMETRY_REGISTER, `services/${this.name}/src/main.ts`], {
      cwd: ROOT,
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on("line", (line) => this.log(this.name, line, this.label));
    }
    const failed = this.exited.then((code) => {
      throw new Error(`${this.name} exited with code ${code} before listening`);
    });
    await Promise.race([waitForPort(this.port, timeoutMs), failed]);
    failed.catch(() => undefined);
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
