import type { DeadLetters } from "./dead-letters.use-case";
import type { OrderRepository } from "./order.repository.port";
import type { RiderDispatch } from "./rider-dispatch.use-case";
import type { SagaRuns } from "./saga-runs";

/** Back-off of rider retries: at most 2^3 − 1 = 7 rounds skipped in a row. */
const MAX_MISSED_ROUNDS = 3;

export interface SagaWorkerOptions {
  readonly owner: string;
  readonly leaseMs: number;
  readonly recoveryIntervalMs: number;
  readonly recoveryBatchSize: number;
  readonly redriveIntervalMs: number;
  readonly riderRetryIntervalMs: number;
}

export interface WorkerLogger {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * The background half of the saga: takes over PENDING orders whose driver died (lease expired),
 * redrives due dead letters, and retries rider assignment for confirmed orders still without one. Every replica runs one; leases and row locks keep them apart.
 */
export class SagaWorker {
  private timers: NodeJS.Timeout[] = [];
  private ticking = new Set<Promise<void>>();

  constructor(
    private readonly repo: OrderRepository,
    private readonly sagas: Pick<SagaRuns, "resume">,
    private readonly deadLetters: DeadLetters,
    private readonly dispatch: Pick<RiderDispatch, "assignWaiting">,
    private readonly options: SagaWorkerOptions,
    private readonly logger: WorkerLogger,
  ) {}

  start(): void {
    this.every(this.options.recoveryIntervalMs, () => this.recoverOnce());
    this.every(this.options.redriveIntervalMs, async () => {
      const resolved = await this.deadLetters.redriveDue();
      if (resolved > 0) this.logger.info({ resolved }, "dead letters redriven");
    });
    this.every(this.options.riderRetryIntervalMs, this.riderRetries());
  }

  /**
   * Rider assignment retries that back off while no rider is free: after a round in which orders
   * waited and none got a rider, the next 1, 3, then 7 rounds are skipped (with the 2 s default,
   * 4, 8, then 16 s apart); a round that assigns anyone, or finds nobody waiting, ends the back-off.
   * Without it, a replica with a backlog and no free rider asked the rider service for up to 50
   * orders every round, for nothing, for as long as riders stayed away. A new order still asks at
   * once when it is confirmed, so a rider coming back is given work without waiting for a round.
   */
  private riderRetries(): () => Promise<void> {
    let missedRounds = 0;
    let skip = 0;
    return async () => {
      if (skip > 0) {
        skip -= 1;
        return;
      }
      const { waiting, assigned } = await this.dispatch.assignWaiting();
      missedRounds = waiting > 0 && assigned === 0 ? Math.min(missedRounds + 1, MAX_MISSED_ROUNDS) : 0;
      skip = 2 ** missedRounds - 1;
    };
  }

  /** Takes over stale sagas and drives them; resolves when they are done. */
  async recoverOnce(): Promise<number> {
    const ids = await this.repo.claimStale(this.options.owner, this.options.leaseMs, this.options.recoveryBatchSize);
    if (ids.length > 0) this.logger.info({ orderIds: ids }, "resuming unfinished sagas");
    await Promise.all(ids.map((id) => this.sagas.resume(id)));
    return ids.length;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.allSettled([...this.ticking]);
  }

  private every(ms: number, work: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const tick = work()
        .then(() => undefined)
        .catch((err: unknown) => this.logger.error({ err }, "background saga work failed"))
        .finally(() => {
          busy = false;
          this.ticking.delete(tick);
        });
      this.ticking.add(tick);
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
