import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { certainlyNoEffect, invalid, refused } from "./errors";
import { fromServiceError } from "./grpc/status";
import { withDeadline } from "./overload/deadline";
import { ResilientTarget } from "./resilience";

const serviceError = (code: status, sentCode?: string): ServiceError => {
  const metadata = new Metadata();
  if (sentCode) metadata.set("qc-error-code", sentCode);
  return Object.assign(new Error("boom"), { code, details: "boom", metadata });
};
const unavailable = () => fromServiceError(serviceError(status.UNAVAILABLE));
const options = {
  timeoutMs: 100,
  breakerThreshold: 5,
  halfOpenAfterMs: 5_000,
  retryAttempts: 1,
  retryInitialDelayMs: 10,
};

describe("ResilientTarget", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("opens after 5 consecutive transient failures and then fails at once with Circuit Open", async () => {
    const target = new ResilientTarget("order", "inventory", options);
    const call = vi.fn(async () => Promise.reject(unavailable()));
    for (let i = 0; i < 5; i++)
      await expect(target.execute(call, false)).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(target.state).toBe("open");
    await expect(target.execute(call, false)).rejects.toThrow(/^Circuit Open/);
    expect(call).toHaveBeenCalledTimes(5);
  });

  it("refuses calls only until the half-open delay has passed, so a pre-check still lets the trial call through", async () => {
    const target = new ResilientTarget("order", "inventory", options);
    for (let i = 0; i < 5; i++)
      await target.execute(async () => Promise.reject(unavailable()), false).catch(() => undefined);
    expect(target.refusesCalls).toBe(true);
    vi.advanceTimersByTime(5_000);
    expect(target.state).toBe("open"); // cockatiel turns half-open on the next call…
    expect(target.refusesCalls).toBe(false); // …which a pre-check must therefore allow
  });

  it("lets one trial call through after the half-open delay: success closes, failure re-opens", async () => {
    const target = new ResilientTarget("order", "inventory", options);
    const failing = async () => Promise.reject(unavailable());
    for (let i = 0; i < 5; i++) await target.execute(failing, false).catch(() => undefined);
    vi.advanceTimersByTime(5_000);
    await expect(target.execute(failing, false)).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(target.state).toBe("open");
    vi.advanceTimersByTime(4_999);
    await expect(target.execute(async () => "ok", false)).rejects.toMatchObject({ code: "CIRCUIT_OPEN" });
    vi.advanceTimersByTime(1);
    await expect(target.execute(async () => "ok", false)).resolves.toBe("ok");
    expect(target.state).toBe("closed");
  });

  it("does not count business refusals, nor a healthy target reporting that its own dependency is down", async () => {
    const target = new ResilientTarget("gateway", "order", options);
    for (let i = 0; i < 10; i++) {
      await target.execute(async () => Promise.reject(refused("OUT_OF_STOCK", "short")), false).catch(() => undefined);
      await target
        .execute(async () => Promise.reject(fromServiceError(serviceError(status.UNAVAILABLE, "CIRCUIT_OPEN"))), false)
        .catch(() => undefined);
    }
    expect(target.state).toBe("closed");
  });

  it("retries transient failures of calls marked safe, and only those", async () => {
    const target = new ResilientTarget("order", "payment", { ...options, retryAttempts: 2 });
    let calls = 0;
    const flaky = async () => (++calls === 1 ? Promise.reject(unavailable()) : "charged");
    const result = target.execute(flaky, true);
    await vi.advanceTimersByTimeAsync(100);
    await expect(result).resolves.toBe("charged");
    calls = 0;
    await expect(target.execute(flaky, false)).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(calls).toBe(1);
  });

  describe("certainty belongs to the whole call, not to its last attempt", () => {
    const deadline = () => fromServiceError(serviceError(status.DEADLINE_EXCEEDED));
    const attempts = (...outcomes: (() => unknown)[]) => {
      let i = 0;
      return async () => {
        const outcome = outcomes[i++];
        if (!outcome) throw new Error("no more attempts scripted");
        const value = outcome();
        if (value instanceof Error) throw value;
        return value;
      };
    };
    const settle = async (promise: Promise<unknown>): Promise<unknown> => {
      const settled = promise.then(
        () => "ok",
        (err: unknown) => err,
      );
      await vi.advanceTimersByTimeAsync(1_000);
      return settled;
    };

    it.each([
      {
        call: "a deadline, then an open circuit (the first attempt opened it)",
        outcomes: [deadline],
        code: "CIRCUIT_OPEN",
        certain: false,
      },
      {
        call: "a lost connection, then an open circuit",
        outcomes: [unavailable],
        code: "CIRCUIT_OPEN",
        certain: false,
      },
      {
        call: "a deadline, then a business refusal",
        outcomes: [deadline, () => refused("ORDER_RELEASED", "released")],
        code: "ORDER_RELEASED",
        certain: false,
      },
      {
        call: "a deadline, then bad input",
        outcomes: [deadline, () => invalid("BAD", "bad")],
        code: "BAD",
        certain: false,
      },
      {
        call: "a deadline, then another deadline",
        outcomes: [deadline, deadline],
        code: "SERVICE_UNAVAILABLE",
        certain: false,
      },
      {
        call: "a business refusal alone",
        outcomes: [() => refused("OUT_OF_STOCK", "short")],
        code: "OUT_OF_STOCK",
        certain: true,
      },
      { call: "an open circuit alone", outcomes: [], code: "CIRCUIT_OPEN", certain: true },
    ])("$call: certain no-effect is $certain", async ({ outcomes, code, certain }) => {
      // Where Circuit Open is expected, one failure opens the breaker: the retry of a timed-out
      // attempt then meets the circuit that attempt (or, under load, other calls) opened.
      const breakerThreshold = code === "CIRCUIT_OPEN" ? 1 : 5;
      const target = new ResilientTarget("order", "inventory", { ...options, breakerThreshold, retryAttempts: 2 });
      if (outcomes.length === 0) await settle(target.execute(attempts(unavailable), false)); // opens it
      const err = await settle(target.execute(attempts(...outcomes), true));
      expect(err).toMatchObject({ code });
      expect(certainlyNoEffect(err)).toBe(certain);
    });

    it("a retry that succeeds after a timed-out attempt is a success (every call is idempotent by its key)", async () => {
      const target = new ResilientTarget("order", "payment", { ...options, retryAttempts: 2 });
      await expect(
        settle(
          target.execute(
            attempts(deadline, () => "charged"),
            true,
          ),
        ),
      ).resolves.toBe("ok");
    });

    it("a call not safe to retry that timed out is unknown; one refused at once is certain", async () => {
      const target = new ResilientTarget("order", "payment", { ...options, retryAttempts: 2 });
      expect(certainlyNoEffect(await settle(target.execute(attempts(deadline), false)))).toBe(false);
      expect(
        certainlyNoEffect(
          await settle(
            target.execute(
              attempts(() => refused("PAYMENT_DECLINED", "no")),
              false,
            ),
          ),
        ),
      ).toBe(true);
    });
  });
});

describe("ResilientTarget under load", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const timedOut = () => fromServiceError(serviceError(status.DEADLINE_EXCEEDED));
  const shed = () => fromServiceError(serviceError(status.RESOURCE_EXHAUSTED, "OVERLOADED"));
  /** An attempt that settles after `ms` (fake time) with `outcome`. */
  const after = (ms: number, outcome: () => unknown) => () =>
    new Promise<unknown>((resolve, reject) =>
      setTimeout(() => {
        const value = outcome();
        if (value instanceof Error) reject(value);
        else resolve(value);
      }, ms),
    );

  it("does not open the breaker on timeouts while the target keeps answering other calls (busy, not dead)", async () => {
    const target = new ResilientTarget("gateway", "order", options);
    // Ten calls queue at a slow target: each times out at 100 ms, but the target answers one call every 20 ms.
    const slow = Array.from({ length: 10 }, () => target.execute(after(100, timedOut), false).catch(() => "timed out"));
    const answered = Array.from({ length: 10 }, (_, i) =>
      target.execute(
        after(20 + i * 20, () => "ok"),
        false,
      ),
    );
    await vi.advanceTimersByTimeAsync(300);
    expect(await Promise.all(slow)).toEqual(Array(10).fill("timed out"));
    await Promise.all(answered);
    expect(target.state).toBe("closed");
  });

  it("opens it when the target answers nobody: timeouts of a dead (or hung) target count", async () => {
    const target = new ResilientTarget("gateway", "order", options);
    await target.execute(async () => "ok", false);
    vi.advanceTimersByTime(1);
    for (let i = 0; i < 5; i++) {
      const call = target.execute(after(100, timedOut), false).catch(() => undefined);
      await vi.advanceTimersByTimeAsync(100);
      await call;
    }
    expect(target.state).toBe("open");
  });

  it("never counts the target's own 'overloaded' answers against it", async () => {
    const target = new ResilientTarget("gateway", "order", options);
    for (let i = 0; i < 20; i++) await target.execute(async () => Promise.reject(shed()), false).catch(() => undefined);
    expect(target.state).toBe("closed");
  });

  it("ends each attempt by the deadline of the work it is made for, and then does not blame the target", async () => {
    const target = new ResilientTarget("order", "inventory", { ...options, timeoutMs: 2_000 });
    const deadlines: number[] = [];
    const attempt = (deadline: Date) => {
      deadlines.push(deadline.getTime());
      return new Promise<never>((_, reject) => setTimeout(() => reject(timedOut()), deadline.getTime() - Date.now()));
    };
    const now = Date.now();
    for (let i = 0; i < 6; i++) {
      const call = withDeadline(Date.now() + 30, () => target.execute(attempt, false)).catch(() => undefined);
      await vi.advanceTimersByTimeAsync(30);
      await call;
    }
    expect(deadlines[0]).toBe(now + 30);
    expect(target.state).toBe("closed");
  });

  it("still blames a silent target whose call had (almost) its whole time under the caller's deadline", async () => {
    const target = new ResilientTarget("gateway", "order", { ...options, timeoutMs: 1_000 });
    const attempt = (deadline: Date) =>
      new Promise<never>((_, reject) => setTimeout(() => reject(timedOut()), deadline.getTime() - Date.now()));
    for (let i = 0; i < 5; i++) {
      const call = withDeadline(Date.now() + 990, () => target.execute(attempt, false)).catch(() => undefined);
      await vi.advanceTimersByTimeAsync(990);
      await call;
    }
    expect(target.state).toBe("open");
  });

  it("sends nothing once the caller's deadline has passed", async () => {
    const target = new ResilientTarget("order", "inventory", options);
    const call = vi.fn(async () => "ok");
    await expect(withDeadline(Date.now() - 1, () => target.execute(call, true))).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
    });
    expect(call).not.toHaveBeenCalled();
  });

  it("retries within a budget: when most calls fail, retries stay a small share of them", async () => {
    const budget = { ratio: 0.1, minPerSecond: 1, windowMs: 10_000 };
    const target = new ResilientTarget("order", "payment", {
      ...options,
      retryAttempts: 2,
      breakerThreshold: 1_000_000,
      retryBudget: budget,
    });
    let attempts = 0;
    const failing = async () => {
      attempts++;
      return Promise.reject(unavailable());
    };
    const calls = Array.from({ length: 200 }, () => target.execute(failing, true).catch(() => undefined));
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(calls);
    // 200 calls: 10 % of them plus 1 a second over the 10 s window = 30 retries at most, not 200.
    expect(attempts - 200).toBeLessThanOrEqual(30);
    expect(attempts - 200).toBeGreaterThan(0);
  });
});
