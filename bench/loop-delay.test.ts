import { monitorEventLoopDelay } from "node:perf_hooks";
import { EVENT_LOOP_SAMPLE_MS } from "@qc/platform/observability";
import { describe, expect, it } from "vitest";
import { loopDelayMs, worstLoopDelays } from "./loop-delay";

describe("loopDelayMs", () => {
  it("reads a loop that is never late as 0 ms late: the sampler's own interval is not delay", () => {
    expect(loopDelayMs(EVENT_LOOP_SAMPLE_MS / 1000)).toBe(0);
    expect(loopDelayMs(0.0123)).toBe(2.3);
    expect(loopDelayMs(undefined)).toBeNull();
  });

  it("reads a blocked loop as late by about as long as it was blocked", async () => {
    const sampler = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLE_MS });
    sampler.enable();
    await new Promise((r) => setTimeout(r, 3 * EVENT_LOOP_SAMPLE_MS));
    // performance.now(), not Date.now(): whole milliseconds would end the block up to 1 ms early.
    const until = performance.now() + 60;
    while (performance.now() < until); // the loop is blocked for 60 ms
    await new Promise((r) => setTimeout(r, 3 * EVENT_LOOP_SAMPLE_MS));
    sampler.disable();
    const late = loopDelayMs(sampler.max / 1e9) ?? 0;
    // The raw reading is the blocked time plus up to one interval; the delay is about the blocked time.
    expect(late).toBeGreaterThanOrEqual(60 - EVENT_LOOP_SAMPLE_MS);
    expect(late).toBeLessThan(60 + 4 * EVENT_LOOP_SAMPLE_MS); // room for a busy machine
    expect(sampler.min / 1e6).toBeGreaterThanOrEqual(EVENT_LOOP_SAMPLE_MS - 1);
  });
});

describe("worstLoopDelays", () => {
  it("keeps each service's worst p99 and max over the slices of a phase, past slices it could not read", () => {
    const worst = worstLoopDelays([
      { order: { p99Ms: 3, maxMs: 20 }, gateway: { p99Ms: null, maxMs: null } },
      null,
      { order: { p99Ms: 5, maxMs: 9 }, gateway: { p99Ms: 2, maxMs: 4 } },
    ]);
    expect(worst).toEqual({ order: { p99Ms: 5, maxMs: 20 }, gateway: { p99Ms: 2, maxMs: 4 } });
    expect(worstLoopDelays([null, null])).toBeNull();
  });
});
