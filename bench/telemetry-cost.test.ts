import { describe, expect, it } from "vitest";
import { cpuSeconds, runOrder, summarize, tracingEnv, type TracingRun } from "./telemetry-cost";

const run = (
  setting: TracingRun["setting"],
  ordersPerSec: number,
  spansReceived = 0,
  cpuMsPerOrder: number | null = 10,
): TracingRun => ({
  setting,
  round: 0,
  ordersPerSec,
  p99Ms: 100,
  ordersSent: 100,
  spansReceived,
  cpuMsPerOrder,
});

describe("the tracing cost phase", () => {
  it("rotates the settings each round, so each goes first, second and last alike", () => {
    expect(runOrder(["a", "b", "c"], 4)).toEqual(["a", "b", "c", "b", "c", "a", "c", "a", "b", "a", "b", "c"]);
  });

  it("switches tracing with the SDK's standard variables: no endpoint when off, the ratio sampler at 10 %", () => {
    expect(tracingEnv("off", "http://sink")).toEqual({});
    expect(tracingEnv("100 %", "http://sink")).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://sink",
      OTEL_TRACES_SAMPLER: "parentbased_always_on",
    });
    expect(tracingEnv("10 %", "http://sink")).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://sink",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    });
  });

  it("reports each setting's mean throughput and CPU per order, and their rise over tracing off", () => {
    const summary = summarize([
      run("off", 100, 0, 10),
      run("100 %", 70, 3_000, 14),
      run("10 %", 97, 300, 10.4),
      run("10 %", 95, 300, 10.6),
      run("100 %", 74, 3_000, 15),
      run("off", 102, 0, 10),
    ]);
    expect(
      summary.map((s) => [s.setting, s.ordersPerSec, s.throughputCost, s.spansPerOrder, s.cpuMsPerOrder, s.cpuCost]),
    ).toEqual([
      ["off", 101, 0, 0, 10, 0],
      ["100 %", 72, 0.287, 30, 14.5, 0.45],
      ["10 %", 96, 0.05, 3, 10.5, 0.05],
    ]);
  });

  it("takes the CPU per order of the whole phase when given (exports land in other stacks' slices)", () => {
    const summary = summarize([run("off", 100, 0, 10), run("10 %", 97, 300, 10)], { off: 12, "10 %": 12.6 });
    expect(summary.map((s) => [s.cpuMsPerOrder, s.cpuCost])).toEqual([
      [12, 0],
      [12.6, 0.05],
    ]);
  });

  it("has no CPU figure when a run had none (no /proc)", () => {
    const summary = summarize([run("off", 100, 0, null), run("10 %", 97, 300, 10)]);
    expect(summary.map((s) => [s.cpuMsPerOrder, s.cpuCost])).toEqual([
      [null, null],
      [10, null],
    ]);
  });

  it("reads a process's CPU time from /proc, and none for a process that is not there", () => {
    const own = cpuSeconds(process.pid);
    if (process.platform === "linux") expect(own).toBeGreaterThan(0);
    expect(cpuSeconds(2 ** 22 + 1)).toBeNull();
    expect(cpuSeconds(undefined)).toBeNull();
  });
});
