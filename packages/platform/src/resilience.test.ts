import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { certainlyNoEffect, invalid, refused } from "./errors";
import { fromServiceError } from "./grpc/status";
import { ResilientTarget } from "./resilience";

const serviceError = (code: status, sentCode?: string): ServiceError => {
  const metadata = new Metadata();
  if (sentCode) metadata.set("qc-error-code", sentCode);
  return Object.assign(new Error("boom"), { code, details: "boom", metadata });
};
const unavailable = () => fromServiceError(serviceError(status.UNAVAILABLE));
const options = { timeoutMs: 100, breakerThreshold: 5, halfOpenAfterMs: 5_000, retryAttempts: 1, retryInitialDelayMs: 10 };

describe("ResilientTarget", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("opens after 5 consecutive transient failures and then fails at once with Circuit Open", async () => {
    const target = new ResilientTarget("order", "inventory", options);
    const call = vi.fn(async () => Promise.reject(unavailable()));
    for (let i = 0; i < 5; i++) await expect(target.execute(call, false)).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(target.state).toBe("open");
    await expect(target.execute(call, false)).rejects.toThrow(/^Circuit Open/);
    expect(call).toHaveBeenCalledTimes(5);
  });

  it("refuses calls only until the half-open delay has passed, so a pre-check still lets the trial call through", async () => {
    const target = new ResilientTarget("order", "inventory", options);
    for (let i = 0; i < 5; i++) await target.execute(async () => Promise.reject(unavailable()), false).catch(() => undefined);
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
      await target.execute(async () => Promise.reject(fromServiceError(serviceError(status.UNAVAILABLE, "CIRCUIT_OPEN"))), false).catch(() => undefined);
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
      const settled = promise.then(() => "ok", (err: unknown) => err);
      await vi.advanceTimersByTimeAsync(1_000);
      return settled;
    };

    it.each([
      { call: "a deadline, then an open circuit (the first attempt opened it)", outcomes: [deadline], code: "CIRCUIT_OPEN", certain: false },
      { call: "a lost connection, then an open circuit", outcomes: [unavailable], code: "CIRCUIT_OPEN", certain: false },
      { call: "a deadline, then a business refusal", outcomes: [deadline, () => refused("ORDER_RELEASED", "released")], code: "ORDER_RELEASED", certain: false },
      { call: "a deadline, then bad input", outcomes: [deadline, () => invalid("BAD", "bad")], code: "BAD", certain: false },
      { call: "a deadline, then another deadline", outcomes: [deadline, deadline], code: "SERVICE_UNAVAILABLE", certain: false },
      { call: "a business refusal alone", outcomes: [() => refused("OUT_OF_STOCK", "short")], code: "OUT_OF_STOCK", certain: true },
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
      await expect(settle(target.execute(attempts(deadline, () => "charged"), true))).resolves.toBe("ok");
    });

    it("a call not safe to retry that timed out is unknown; one refused at once is certain", async () => {
      const target = new ResilientTarget("order", "payment", { ...options, retryAttempts: 2 });
      expect(certainlyNoEffect(await settle(target.execute(attempts(deadline), false)))).toBe(false);
      expect(certainlyNoEffect(await settle(target.execute(attempts(() => refused("PAYMENT_DECLINED", "no")), false)))).toBe(true);
    });
  });
});
