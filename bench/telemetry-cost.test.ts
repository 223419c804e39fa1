import { describe, expect, it } from "vitest";
import { runOrder, summarize, tracingEnv, type TracingRun } from "./telemetry-cost";

const run = (setting: TracingRun["setting"], ordersPerSec: number, spansReceived = 0, ordersSent = 100): TracingRun => ({ setting, ordersPerSec, p99Ms: 100, ordersSent, spansReceived });

describe("the tracing cost phase", () => {
  it("alternates the settings A B C C B A so a drift weighs on each alike", () => {
    expect(runOrder(["a", "b", "c"], 2)).toEqual(["a", "b", "c", "c", "b", "a"]);
    expect(runOrder(["a", "b"], 3)).toEqual(["a", "b", "b", "a", "a", "b"]);
  });

  it("switches tracing with the SDK's standard variables: no endpoint when off, the ratio sampler at 10 %", () => {
    expect(tracingEnv("off", "http://sink")).toEqual({});
    expect(tracingEnv("100 %", "http://sink")).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://sink", OTEL_TRACES_SAMPLER: "parentbased_always_on" });
    expect(tracingEnv("10 %", "http://sink")).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://sink",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    });
  });

  it("reports each setting's mean throughput and its cost against tracing off", () => {
    const summary = summarize([run("off", 100), run("100 %", 70, 3_000), run("10 %", 97, 300), run("10 %", 95, 300), run("100 %", 74, 3_000), run("off", 102)]);
    expect(summary.map((s) => [s.setting, s.ordersPerSec, s.throughputCost, s.spansPerOrder])).toEqual([
      ["off", 101, 0, 0],
      ["100 %", 72, 0.287, 30],
      ["10 %", 96, 0.05, 3],
    ]);
  });
});
