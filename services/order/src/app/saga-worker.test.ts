import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DeadLetters } from "./dead-letters.use-case";
import type { OrderRepository } from "./order.repository.port";
import { SagaWorker } from "./saga-worker";

const ROUND_MS = 2_000;

/** A worker whose only busy job is rider retries, answering with what `round` says; rounds are counted. */
function workerWith(round: () => { waiting: number; assigned: number }) {
  const rounds: number[] = [];
  const dispatch = {
    assignWaiting: async () => {
      rounds.push(Date.now());
      return round();
    },
  };
  const repo = { claimStale: async () => [] } as unknown as OrderRepository;
  const deadLetters = { redriveDue: async () => 0 } as unknown as DeadLetters;
  const worker = new SagaWorker(
    repo,
    { resume: async () => undefined },
    deadLetters,
    dispatch,
    {
      owner: "o",
      leaseMs: 5_000,
      recoveryIntervalMs: 60_000,
      recoveryBatchSize: 10,
      redriveIntervalMs: 60_000,
      riderRetryIntervalMs: ROUND_MS,
    },
    { error: () => undefined, info: () => undefined },
  );
  return { worker, rounds };
}

/** The seconds (from the start) at which rounds ran. */
const seconds = (rounds: number[], start: number) => rounds.map((at) => (at - start) / 1000);

describe("SagaWorker rider retries", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("backs off while orders wait and no rider is free: rounds 4, 8, then 16 s apart", async () => {
    const { worker, rounds } = workerWith(() => ({ waiting: 12, assigned: 0 }));
    const start = Date.now();
    worker.start();
    await vi.advanceTimersByTimeAsync(64_000);
    await worker.stop();
    expect(seconds(rounds, start)).toEqual([2, 6, 14, 30, 46, 62]);
  });

  it("retries every round again once a round assigns a rider (the back-off it is in runs out first)", async () => {
    let free = false;
    const { worker, rounds } = workerWith(() => ({ waiting: 3, assigned: free ? 1 : 0 }));
    const start = Date.now();
    worker.start();
    await vi.advanceTimersByTimeAsync(15_000);
    free = true;
    await vi.advanceTimersByTimeAsync(21_000);
    await worker.stop();
    expect(seconds(rounds, start)).toEqual([2, 6, 14, 30, 32, 34, 36]);
  });

  it("never backs off while nobody waits", async () => {
    const { worker, rounds } = workerWith(() => ({ waiting: 0, assigned: 0 }));
    const start = Date.now();
    worker.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await worker.stop();
    expect(seconds(rounds, start)).toEqual([2, 4, 6, 8, 10]);
  });
});
