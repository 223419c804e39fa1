import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { refused } from "./errors";
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
});
