import { describe, expect, it } from "vitest";
import { mulberry32 } from "./prng";
import { applicableKinds, countByKind, planFaults, type FaultTargets } from "./schedule";

const postgres: FaultTargets = {
  processes: ["gateway", "order-1", "order-2", "inventory", "payment", "rider"],
  hangable: ["order-1", "order-2", "inventory", "payment", "rider"],
  links: [
    "gateway→order-1",
    "gateway→order-2",
    "gateway→inventory",
    "order-1→inventory",
    "order-1→payment",
    "order-2→payment",
  ],
  database: true,
  redis: true,
};
const embedded: FaultTargets = {
  ...postgres,
  processes: ["gateway", "order", "inventory", "payment", "rider"],
  hangable: ["order", "inventory", "payment", "rider"],
  database: false,
  redis: false,
};

describe("mulberry32", () => {
  it("repeats its sequence for a seed, in [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });
});

describe("the fault schedule", () => {
  it("is the same for the same seed, and differs for another", () => {
    const plan = planFaults({ seed: 1234, durationMs: 60_000, targets: postgres });
    expect(planFaults({ seed: 1234, durationMs: 60_000, targets: postgres })).toEqual(plan);
    expect(planFaults({ seed: 1235, durationMs: 60_000, targets: postgres })).not.toEqual(plan);
  });

  it("plans at least 50 faults of every kind in a full run", () => {
    const counts = countByKind(planFaults({ seed: 7, durationMs: 900_000, targets: postgres }));
    for (const kind of applicableKinds(postgres)) expect(counts[kind], kind).toBeGreaterThanOrEqual(50);
  });

  it("plans no database or Redis fault in embedded mode, where there is no server to hit", () => {
    expect(applicableKinds(embedded)).toEqual(["hang", "kill", "net-delay", "net-drop", "net-cut"]);
    const counts = countByKind(planFaults({ seed: 7, durationMs: 60_000, targets: embedded }));
    expect(counts["pg-terminate"]).toBe(0);
    expect(counts["redis-restart"]).toBe(0);
    expect(counts.hang).toBeGreaterThan(0);
  });

  it("never puts two faults on one target at once (a kill keeps its process busy through its restart)", () => {
    for (const seed of [1, 2, 3, 99, 2024]) {
      const plan = planFaults({ seed, durationMs: 120_000, targets: postgres, restartAllowanceMs: 8_000 });
      const byTarget = new Map<string, { start: number; end: number }[]>();
      for (const f of plan) {
        const end = f.atMs + f.durationMs + (f.kind === "kill" ? 8_000 : 0);
        byTarget.set(f.target, [...(byTarget.get(f.target) ?? []), { start: f.atMs, end }]);
      }
      for (const spans of byTarget.values()) {
        for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
      }
      for (const f of plan) {
        const valid =
          f.kind === "kill"
            ? postgres.processes
            : f.kind === "hang"
              ? postgres.hangable!
              : f.kind.startsWith("net-")
                ? postgres.links
                : [f.kind === "pg-terminate" ? "postgres" : "redis"];
        expect(valid).toContain(f.target);
      }
      expect(plan.map((f) => f.id)).toEqual(plan.map((_, i) => i + 1));
    }
  });
});
