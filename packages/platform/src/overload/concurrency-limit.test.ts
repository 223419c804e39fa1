import { describe, expect, it } from "vitest";
import { ConcurrencyLimit, type Admission } from "./concurrency-limit";

const options = { initialLimit: 10, minLimit: 2, maxLimit: 50, latencyTargetMs: 100, backoffRatio: 0.9 };

describe("ConcurrencyLimit", () => {
  it("refuses at once beyond the limit, and admits again as requests finish", () => {
    const limit = new ConcurrencyLimit(options, () => 0);
    const admitted = Array.from({ length: 10 }, () => limit.tryAcquire());
    expect(admitted.every((a) => a !== null)).toBe(true);
    expect(limit.tryAcquire()).toBeNull();
    admitted[0]!.ignore();
    expect(limit.tryAcquire()).not.toBeNull();
  });

  it("grows by about one per round trip while requests are fast and the limit is used", () => {
    let now = 0;
    const limit = new ConcurrencyLimit(options, () => now);
    for (let round = 0; round < 5; round++) {
      const batch = Array.from({ length: limit.limit }, () => limit.tryAcquire()!);
      now += 20;
      for (const a of batch) a.success();
    }
    expect(limit.limit).toBeGreaterThanOrEqual(14);
    expect(limit.limit).toBeLessThanOrEqual(15);
  });

  it("neither grows nor shrinks when traffic uses less than half of it", () => {
    let now = 0;
    const limit = new ConcurrencyLimit(options, () => now);
    for (let i = 0; i < 100; i++) {
      const a = limit.tryAcquire()!;
      now += 5;
      a.success();
    }
    expect(limit.limit).toBe(10);
    // One at a time, slow (a slow dependency, a busy machine): not the limit's doing, so not its business.
    for (let i = 0; i < 10; i++) {
      const a = limit.tryAcquire()!;
      now += 500;
      a.success();
      limit.tryAcquire()!.dropped();
    }
    expect(limit.limit).toBe(10);
  });

  it("shrinks once per round trip on slow or dropped requests, never below the minimum", () => {
    let now = 0;
    const limit = new ConcurrencyLimit({ ...options, initialLimit: 40 }, () => now);
    // A whole round of slow requests started together: one decrease, not forty.
    const round = Array.from({ length: 40 }, () => limit.tryAcquire()!);
    now += 105;
    for (const a of round) a.success();
    expect(limit.limit).toBe(36);
    const busy = Array.from({ length: 30 }, () => limit.tryAcquire()!);
    now += 1;
    busy[0]!.dropped();
    expect(limit.limit).toBe(32);
    for (let i = 0; i < 100; i++) {
      const round = Array.from({ length: limit.limit - limit.inFlight }, () => limit.tryAcquire()!);
      now += 1;
      for (const a of [...round, ...busy.splice(0)]) a.dropped();
    }
    expect(limit.limit).toBe(2);
  });

  it("cuts deeper the slower a round was than the target (target/latency), down to a half at most", () => {
    let now = 0;
    const limit = new ConcurrencyLimit({ ...options, initialLimit: 40 }, () => now);
    const roundOf = (latencyMs: number) => {
      const round = Array.from({ length: limit.limit }, () => limit.tryAcquire()!);
      now += latencyMs;
      for (const a of round) a.success();
    };
    roundOf(125); // 100/125
    expect(limit.limit).toBe(32);
    roundOf(1_000); // 100/1000, but never below half
    expect(limit.limit).toBe(16);
  });

  it("with a tolerance, takes as its target that many times the p99 latency seen at a normal load, within bounds", () => {
    let now = 0;
    const limit = new ConcurrencyLimit(
      { ...options, initialLimit: 20, latencyTargetMs: 100, tolerance: 3, maxLatencyTargetMs: 1_000 },
      () => now,
    );
    expect(limit.latencyTargetMs).toBe(1_000); // nothing learnt yet: only grossly slow answers count
    // At a normal load (one at a time: the limit holds nothing back) 2 orders in 100 take 200 ms, the rest 50.
    for (let i = 0; i < 5_000; i++) {
      const a = limit.tryAcquire()!;
      const latency = i % 50 === 0 ? 200 : 50;
      now += latency;
      a.success();
    }
    expect(limit.latencyTargetMs).toBe(3 * 200);
    // Under load, 500 ms is within the target on this (slow) platform: the limit grows.
    for (let r = 0; r < 2; r++) {
      const round = Array.from({ length: limit.limit }, () => limit.tryAcquire()!);
      now += 500;
      for (const a of round) a.success();
    }
    expect(limit.limit).toBe(21);
    // A standing queue (latency far beyond the normal) shrinks it, by target/latency: 600/900.
    const queued = Array.from({ length: 21 }, () => limit.tryAcquire()!);
    now += 900;
    for (const a of queued) a.success();
    expect(limit.limit).toBe(14);
    for (let i = 0; i < 5_000; i++) {
      const a = limit.tryAcquire()!;
      now += 5_000;
      a.success();
    }
    expect(limit.latencyTargetMs).toBe(1_000);
  });

  it("forgets within seconds a busy stretch that read as a normal load", () => {
    let now = 0;
    const limit = new ConcurrencyLimit(
      { ...options, initialLimit: 20, latencyTargetMs: 10, tolerance: 2, maxLatencyTargetMs: 5_000 },
      () => now,
    );
    const oneAtATime = (count: number, latencyMs: number) => {
      for (let i = 0; i < count; i++) {
        const a = limit.tryAcquire()!;
        now += latencyMs;
        a.success();
      }
    };
    // A closed loop just under the limit: the platform queues, yet the limit is never half used.
    oneAtATime(2_000, 900);
    expect(limit.latencyTargetMs).toBe(1_800);
    // Then a few hundred orders at a truly normal load: the target is theirs again.
    oneAtATime(300, 40);
    expect(limit.latencyTargetMs).toBe(80);
  });

  it("counts each admission once, whatever its holder calls", () => {
    const limit = new ConcurrencyLimit({ ...options, initialLimit: 2 }, () => 0);
    const a: Admission = limit.tryAcquire()!;
    a.success();
    a.dropped();
    a.ignore();
    expect(limit.inFlight).toBe(0);
    expect(limit.limit).toBe(2);
  });
});
