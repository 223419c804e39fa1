import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { freePort } from "./ports";

const run = promisify(execFile);
const START_ATTEMPTS = 3;
const START_TIMEOUT_MS = 10_000;

/** The port a private Redis was given is held by another process (another server, or a client's socket). */
class RedisPortTakenError extends Error {}

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

  /** Starts one on a free port; on another should the port be taken before it listens. */
  static async start(options: { appendOnlyDir?: string } = {}): Promise<PrivateRedis> {
    for (let attempt = 1; ; attempt++) {
      const redis = new PrivateRedis(await freePort(), options.appendOnlyDir ?? null);
      try {
        await redis.resume();
        return redis;
      } catch (err) {
        await redis.stop();
        if (!(err instanceof RedisPortTakenError) || attempt === START_ATTEMPTS) throw err;
      }
    }
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
    const persistence = this.appendOnlyDir
      ? ["--appendonly", "yes", "--dir", this.appendOnlyDir]
      : ["--appendonly", "no"];
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", ...persistence],
      { stdio: "ignore" },
    );
    this.child = child;
    await this.untilServing(child);
  }

  /**
   * Resolves once `child` itself answers on the port: the server there must report its pid. Another
   * process may have taken a port picked free a moment ago, and would answer in its place.
   */
  private async untilServing(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new RedisPortTakenError(`redis-server on port ${this.port} exited at start (port taken?)`);
      const pid = await run("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), "info", "server"], {
        timeout: 1_000,
      }).then(
        ({ stdout }) => /process_id:(\d+)/.exec(stdout)?.[1],
        () => undefined,
      );
      if (pid !== undefined && Number(pid) === child.pid) return;
      if (pid !== undefined)
        throw new RedisPortTakenError(`port ${this.port} is served by another redis-server (pid ${pid})`);
      if (Date.now() > deadline)
        throw new Error(`redis-server did not listen on port ${this.port} within ${START_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
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
