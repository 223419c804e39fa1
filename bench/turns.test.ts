import hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import type { LoadResult } from "./load";
import { inTurns, mergeLoadResults, weightedCpu, type Slice } from "./turns";

const result = (requests: number, seconds: number, latenciesUs: number[], statuses: Record<string, number>) => {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
  for (const us of latenciesUs) histogram.recordValue(us);
  return { requests, seconds, perSecond: requests / seconds, histogram, statuses } satisfies LoadResult;
};

/**
 * A machine whose speed halves midway through the measurement, and two contenders, one doing half
 * the work per second of the other whatever the speed: the ratio of their rates is 0.5.
 */
function machineSlowingDown(totalMs: number) {
  let now = 0;
  const speedAt = (t: number) => (t < totalMs / 2 ? 2 : 1);
  const contender =
    (ordersPerSecondAtSpeed1: number) =>
    async ({ durationMs, warmupMs }: Slice): Promise<LoadResult> => {
      now += warmupMs;
      let orders = 0;
      for (let t = 0; t < durationMs; t++) orders += (ordersPerSecondAtSpeed1 * speedAt(now + t)) / 1000;
      now += durationMs;
      return result(Math.round(orders), durationMs / 1000, [1_000], { "201": Math.round(orders) });
    };
  return { contender };
}

describe("inTurns", () => {
  it("runs the contenders one after the other in every round, the first round with the full warm-up", async () => {
    const calls: string[] = [];
    const loop = (name: string) => async (s: Slice) => {
      calls.push(`${name} ${s.durationMs}/${s.warmupMs}`);
      return result(10, s.durationMs / 1000, [500], { "201": 10 });
    };
    const merged = await inTurns(
      { stack: loop("stack"), inProcess: loop("inProcess") },
      { rounds: 3, durationMs: 15_000, warmupMs: 5_000, laterWarmupMs: 1_000 },
    );
    expect(calls).toEqual([
      "stack 5000/5000",
      "inProcess 5000/5000",
      "stack 5000/1000",
      "inProcess 5000/1000",
      "stack 5000/1000",
      "inProcess 5000/1000",
    ]);
    expect(merged.stack.requests).toBe(30);
    expect(merged.stack.seconds).toBe(15);
    expect(merged.inProcess.perSecond).toBe(2);
  });

  it("keeps the ratio of two rates when the machine slows down during the run; one after the other, it does not", async () => {
    const totalMs = 2 * 20_000;
    const sequential = machineSlowingDown(totalMs);
    const stackAlone = await sequential.contender(100)({ durationMs: 20_000, warmupMs: 0 });
    const inProcessAlone = await sequential.contender(200)({ durationMs: 20_000, warmupMs: 0 });
    // The stack ran while the machine was fast, the in-process build after it slowed: 1.0, not 0.5.
    expect(stackAlone.perSecond / inProcessAlone.perSecond).toBeCloseTo(1, 2);

    const turns = machineSlowingDown(totalMs);
    const merged = await inTurns(
      { stack: turns.contender(100), inProcess: turns.contender(200) },
      { rounds: 4, durationMs: 20_000, warmupMs: 0, laterWarmupMs: 0 },
    );
    expect(merged.stack.perSecond / merged.inProcess.perSecond).toBeCloseTo(0.5, 2);
  });

  it("refuses a number of rounds that is not a whole number of at least one", async () => {
    const loop = async (sl: Slice) => result(1, sl.durationMs / 1000, [1], {});
    for (const rounds of [0, -1, 1.5, Number.NaN])
      await expect(
        inTurns({ stack: loop }, { rounds, durationMs: 1_000, warmupMs: 0, laterWarmupMs: 0 }),
      ).rejects.toThrow(/rounds/);
  });
});

describe("mergeLoadResults", () => {
  it("sums requests, time and statuses, and pools the latencies of every slice", () => {
    const merged = mergeLoadResults([
      result(3, 1, [1_000, 1_000, 1_000], { "201": 3 }),
      result(1, 1, [9_000], { "201": 1, "402": 2 }),
    ]);
    expect(merged.requests).toBe(4);
    expect(merged.seconds).toBe(2);
    expect(merged.perSecond).toBe(2);
    expect(merged.statuses).toEqual({ "201": 4, "402": 2 });
    expect(merged.histogram.totalCount).toBe(4);
    expect(merged.histogram.getValueAtPercentile(50)).toBeLessThan(1_100);
    expect(merged.histogram.getValueAtPercentile(100)).toBeGreaterThan(8_900);
  });

  it("refuses no slice at all", () => {
    expect(() => mergeLoadResults([])).toThrow(/no slice/);
  });
});

describe("weightedCpu", () => {
  it("weighs each slice's CPU per order by its orders, and leaves out what a slice could not read", () => {
    const cpu = weightedCpu([
      { requests: 300, cpuUsPerOrder: { order: 1_000, gateway: null } },
      { requests: 100, cpuUsPerOrder: { order: 2_000, gateway: 800 } },
      { requests: 0, cpuUsPerOrder: { order: 9_999, gateway: 9_999 } },
      { requests: 50, cpuUsPerOrder: null },
    ]);
    expect(cpu).toEqual({ order: 1_250, gateway: 800 });
    expect(weightedCpu([{ requests: 10, cpuUsPerOrder: null }])).toBeNull();
  });
});
