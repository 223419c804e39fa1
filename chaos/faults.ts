import type { ServiceProcess } from "@qc/devstack";
import pg from "pg";
import type { ChaosPlatform } from "./platform";
import type { FaultKind, PlannedFault } from "./schedule";

/** One fault as it happened (times in ms since the epoch). */
export interface FaultRecord {
  readonly id: number;
  readonly kind: FaultKind;
  readonly target: string;
  readonly plannedAtMs: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** What it did (e.g. "SIGSTOP 4.2 s", "3 backends terminated"), or why it was skipped. */
  readonly detail: string;
  readonly skipped: boolean;
}

/** A service that exited without being told to; the supervisor restarted it. */
export interface Crash {
  readonly label: string;
  readonly at: number;
  readonly code: number | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Injects the faults of a schedule into a running platform and supervises its processes: a process
 * killed by a fault is started again, and one that exits by itself is recorded as a crash and
 * started again too.
 */
export class FaultInjector {
  readonly records: FaultRecord[] = [];
  readonly crashes: Crash[] = [];
  readonly restarts = new Map<string, number>();
  private readonly intended = new Set<number>();
  private readonly restarting = new Map<string, Promise<void>>();
  private readonly hung = new Set<string>();
  private ending = false;
  private endNow: () => void = () => undefined;
  private readonly ended = new Promise<void>((resolve) => (this.endNow = resolve));
  private supervising = true;

  constructor(
    private readonly platform: ChaosPlatform,
    private readonly note: (line: string) => void,
  ) {
    for (const [label, p] of platform.processes) this.watch(label, p);
  }

  /** Runs the schedule from `startedAt`; resolves when every fault has ended (all end early once `end()` is called). */
  async run(schedule: readonly PlannedFault[], startedAt: number): Promise<void> {
    await Promise.all(
      schedule.map(async (f) => {
        await Promise.race([sleep(Math.max(0, startedAt + f.atMs - Date.now())), this.ended]);
        if (this.ending) return;
        let appliedAt = Date.now();
        const detail = await this.apply(f, () => (appliedAt = Date.now())).catch(
          (err: unknown) => `skipped: ${err instanceof Error ? err.message : String(err)}`,
        );
        this.records.push({
          id: f.id,
          kind: f.kind,
          target: f.target,
          plannedAtMs: startedAt + f.atMs,
          startedAt: appliedAt,
          endedAt: Date.now(),
          detail,
          skipped: detail.startsWith("skipped"),
        });
      }),
    );
  }

  /** Ends every fault now: hung processes resume, proxies pass (connections cut), Redis and every process run again. */
  async end(): Promise<void> {
    this.ending = true;
    this.endNow();
    for (const p of this.platform.processes.values()) p.signal("SIGCONT");
    for (const proxy of this.platform.proxies.values()) proxy.set({ kind: "pass" }, { cut: true });
    await this.platform.redis?.resume();
    await Promise.all([...this.restarting.values()]);
    for (const [label, p] of this.platform.processes) if (!p.running) await this.restart(label);
  }

  /** Stops supervising (before a graceful stop, whose exits are not crashes). */
  release(): void {
    this.supervising = false;
  }

  /** Applies one fault and resolves when it is over; `applied` marks when it took hold (after waiting for a busy process). */
  private async apply(f: PlannedFault, applied: () => void): Promise<string> {
    const hold = async (ms: number) => {
      await Promise.race([sleep(ms), this.ended]);
    };
    switch (f.kind) {
      case "hang": {
        const p = await this.process(f.target);
        applied();
        this.hung.add(f.target);
        p.signal("SIGSTOP");
        const t0 = Date.now();
        await hold(f.durationMs);
        p.signal("SIGCONT");
        this.hung.delete(f.target);
        return `SIGSTOP for ${seconds(Date.now() - t0)}`;
      }
      case "kill": {
        const p = await this.process(f.target);
        applied();
        if (p.pid !== undefined) this.intended.add(p.pid);
        await p.kill();
        await hold(f.durationMs);
        const t0 = Date.now();
        await this.restart(f.target);
        return `SIGKILL, down ${seconds(f.durationMs)}, restarted in ${seconds(Date.now() - t0)}`;
      }
      case "net-delay":
      case "net-drop":
      case "net-cut": {
        const proxy = this.platform.proxies.get(f.target);
        if (!proxy) throw new Error(`no link ${f.target}`);
        if (f.kind === "net-delay") proxy.set({ kind: "delay", delayMs: f.delayMs ?? 500 });
        else if (f.kind === "net-drop") proxy.set({ kind: "drop-responses" });
        else proxy.set({ kind: "refuse" }, { cut: true });
        await hold(f.durationMs);
        // Back to pass, cutting what is open: delayed chunks must not overtake, and dropped answers
        // leave the HTTP/2 header compression out of step (see FaultProxy).
        proxy.set({ kind: "pass" }, { cut: true });
        return f.kind === "net-delay"
          ? `${f.delayMs} ms per chunk for ${seconds(f.durationMs)}`
          : `${f.kind === "net-drop" ? "answers dropped" : "cut and refused"} for ${seconds(f.durationMs)}`;
      }
      case "pg-terminate": {
        const db = this.platform.database;
        if (!db) throw new Error("no Postgres server in this mode");
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ n: string }>(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [db.name],
          );
          return `${rows[0]?.n ?? 0} backends terminated`;
        } finally {
          await client.end();
        }
      }
      case "redis-restart": {
        const redis = this.platform.redis;
        if (!redis) throw new Error("no Redis server in this mode");
        await redis.stop();
        await hold(f.durationMs);
        await redis.resume();
        return `killed, down ${seconds(f.durationMs)}`;
      }
    }
  }

  /**
   * The process to hang or kill, once it runs and no other fault holds it: a crash (not planned) may
   * still be restarting it. Waits up to 20 s, then the fault is skipped.
   */
  private async process(label: string): Promise<ServiceProcess> {
    const p = this.platform.processes.get(label);
    if (!p) throw new Error(`no process ${label}`);
    const until = Date.now() + 20_000;
    while (!p.running || this.restarting.has(label) || this.hung.has(label)) {
      if (Date.now() > until || this.ending)
        throw new Error(`${label} was ${this.hung.has(label) ? "hung" : "being restarted"} for 20 s`);
      await Promise.race([sleep(100), this.ended]);
    }
    return p;
  }

  /** Starts the process again (retrying a start that fails), once at a time per process. */
  private restart(label: string): Promise<void> {
    const running = this.restarting.get(label);
    if (running) return running;
    const p = this.platform.processes.get(label)!;
    const work = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await p.start(60_000);
          this.restarts.set(label, (this.restarts.get(label) ?? 0) + 1);
          this.watch(label, p);
          return;
        } catch (err) {
          this.note(`${label} did not start (attempt ${attempt}): ${err instanceof Error ? err.message : String(err)}`);
          if (attempt >= 5) throw err;
          await sleep(1_000);
        }
      }
    })().finally(() => this.restarting.delete(label));
    this.restarting.set(label, work);
    return work;
  }

  private watch(label: string, p: ServiceProcess): void {
    const pid = p.pid;
    void p.waitForExit().then((code) => {
      if (pid === undefined || this.intended.has(pid) || !this.supervising) return;
      this.crashes.push({ label, at: Date.now(), code });
      this.note(`${label} (pid ${pid}) exited by itself with code ${code}; restarting it`);
      void this.restart(label).catch(() => undefined);
    });
  }
}
