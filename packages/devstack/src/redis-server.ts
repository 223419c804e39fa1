import { spawn, type ChildProcess } from "node:child_process";
import { freePort, waitForPort } from "./ports";

/**
 * A private redis-server process on a free port, so a test or the chaos runner can stop and restart
 * "Redis" without touching the machine's shared one. Without `appendOnlyDir` nothing is kept on disk
 * (a restart comes back empty); with it, every write is appended to a file there as in deploy/
 * (`--appendonly yes`), so a restart, even after SIGKILL, comes back with what was acknowledged.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly appendOnlyDir: string | null,
  ) {}

  static async start(options: { appendOnlyDir?: string } = {}): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), options.appendOnlyDir ?? null);
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** (Re)starts the server on the same port (empty, unless it keeps an append-only file); a no-op while it runs. */
  async resume(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return;
    const persistence = this.appendOnlyDir ? ["--appendonly", "yes", "--dir", this.appendOnlyDir] : ["--appendonly", "no"];
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", ...persistence], { stdio: "ignore" });
    this.child = child;
    await waitForPort(this.port, 10_000);
  }

  /** Kills the server (SIGKILL: a crash). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    this.child = null;
  }
}
