import { AppError, refused } from "@qc/platform/errors";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Compensator, type CompensationPolicy, type CompensatorDeps } from "./compensator";
import type { NewHistory } from "./order.repository.port";
import { unobservedSaga } from "./saga-observer.port";

const START = new Date("2026-01-01T10:00:00.000Z");

/** A compensator over a dead-letter store in memory; each attempt's time (ms after START). */
function setup(policy: CompensationPolicy, outcomes: (() => Promise<string>)[]) {
  const added: Parameters<CompensatorDeps["deadLetters"]["add"]>[0][] = [];
  const compensator = new Compensator({
    deadLetters: { add: async (e) => void added.push(e) },
    policy,
    newId: () => "dl-1",
    observer: unobservedSaga,
  });
  const at: number[] = [];
  const history: NewHistory[] = [];
  const compensate = () => {
    at.push(Date.now() - START.getTime());
    return (outcomes.shift() ?? (async () => "done"))();
  };
  return { run: () => compensator.run("o-1", "release-stock", compensate, history), added, at, history };
}

const steps = (history: NewHistory[]) => history.map((h) => `${h.step}:${h.outcome}`);
const unavailable = () => Promise.reject(new AppError("unavailable", "SERVICE_UNAVAILABLE", "connection refused"));

describe("Compensator", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });
  afterEach(() => vi.useRealTimers());

  it("tries `attempts` times in all, `backoffMs` before the second and doubling (no jitter), then stores a dead letter", async () => {
    const t = setup({ attempts: 4, backoffMs: 100, deadLetterRetryMs: 2_000 }, [
      unavailable,
      unavailable,
      unavailable,
      unavailable,
    ]);
    const done = t.run();
    await vi.runAllTimersAsync();
    await done;
    expect(t.at).toEqual([0, 100, 300, 700]);
    expect(steps(t.history)).toEqual([
      "release-stock:retry",
      "release-stock:retry",
      "release-stock:retry",
      "release-stock:retry",
      "release-stock:dead-lettered",
    ]);
    expect(t.history[0]).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      detail: "attempt 1 failed: SERVICE_UNAVAILABLE: connection refused",
    });
    expect(t.history[3]?.detail).toMatch(/^attempt 4 failed/);
    expect(t.added).toEqual([
      {
        id: "dl-1",
        orderId: "o-1",
        step: "release-stock",
        error: "SERVICE_UNAVAILABLE: connection refused",
        attempts: 4,
        nextAttemptAt: new Date(START.getTime() + 700 + 2_000),
      },
    ]);
  });

  it("retries every error, a refusal or a plain Error too (a compensation is idempotent), and records the detail it answers", async () => {
    const t = setup({ attempts: 3, backoffMs: 10, deadLetterRetryMs: 0 }, [
      () => Promise.reject(refused("RIDER_NOT_RELEASED", "freed nobody")),
      () => Promise.reject(new Error("connection reset")),
      async () => "stock returned",
    ]);
    const done = t.run();
    await vi.runAllTimersAsync();
    await done;
    expect(t.at).toEqual([0, 10, 30]);
    expect(t.history.map((h) => `${h.outcome}:${h.code}:${h.detail}`)).toEqual([
      "retry:RIDER_NOT_RELEASED:attempt 1 failed: RIDER_NOT_RELEASED: freed nobody",
      "retry:INTERNAL:attempt 2 failed: connection reset",
      "done:STOCK_RELEASED:stock returned",
    ]);
    expect(t.added).toEqual([]);
  });

  it("dead-letters after one attempt when the policy allows one", async () => {
    const t = setup({ attempts: 1, backoffMs: 100, deadLetterRetryMs: 0 }, [unavailable]);
    await t.run();
    expect(t.at).toEqual([0]);
    expect(steps(t.history)).toEqual(["release-stock:retry", "release-stock:dead-lettered"]);
    expect(t.added).toMatchObject([{ attempts: 1 }]);
  });

  it("fails when the dead letter cannot be written, so the compensation is never lost silently", async () => {
    const compensator = new Compensator({
      deadLetters: { add: async () => Promise.reject(new Error("database down")) },
      policy: { attempts: 1, backoffMs: 0, deadLetterRetryMs: 0 },
      newId: () => "dl-1",
      observer: unobservedSaga,
    });
    await expect(compensator.run("o-1", "refund-payment", unavailable, [])).rejects.toThrow("database down");
  });
});
