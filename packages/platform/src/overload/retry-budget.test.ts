import { describe, expect, it } from "vitest";
import { RetryBudget } from "./retry-budget";

describe("RetryBudget", () => {
  it("allows retries up to the share of calls plus the floor, then refuses them", () => {
    const now = 0;
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 1, windowMs: 10_000 }, () => now);
    for (let i = 0; i < 100; i++) budget.recordCall();
    const granted = Array.from({ length: 100 }, () => budget.tryRetry()).filter(Boolean).length;
    expect(granted).toBe(30); // 20 % of 100 calls + 1/s × 10 s
  });

  it("forgets calls and retries older than the window", () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 0, windowMs: 1_000 }, () => now);
    for (let i = 0; i < 50; i++) budget.recordCall();
    while (budget.tryRetry());
    expect(budget.tryRetry()).toBe(false);
    now += 1_000;
    expect(budget.tryRetry()).toBe(false); // the calls that paid for retries are gone too
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });

  it("lets a quiet caller retry a blip: the floor needs no traffic", () => {
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 5, windowMs: 10_000 }, () => 0);
    budget.recordCall();
    expect(budget.tryRetry()).toBe(true);
  });
});
