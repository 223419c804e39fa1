import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Permits } from "./permits";

describe("Permits", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("serves waiters first come, first served", async () => {
    const permits = new Permits(1, 10, "the pool");
    await permits.acquire();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => permits.acquire().then(() => order.push(n)));
    for (let i = 0; i < 3; i++) permits.release();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });

  it("refuses at once (OVERLOADED) when the queue is full", async () => {
    const permits = new Permits(1, 2, "the pool");
    await permits.acquire();
    void permits.acquire();
    void permits.acquire();
    await expect(permits.acquire()).rejects.toMatchObject({ kind: "unavailable", code: "OVERLOADED" });
  });

  it("gives up at the deadline, leaves the queue, and never hands that waiter a permit", async () => {
    const permits = new Permits(1, 10, "the pool");
    await permits.acquire();
    const late = permits.acquire(Date.now() + 50);
    const patient = permits.acquire();
    const lateResult = late.catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(50);
    expect(await lateResult).toMatchObject({ code: "OVERLOADED" });
    expect(permits.waiting).toBe(1);
    permits.release();
    await expect(patient).resolves.toBeUndefined();
  });

  it("refuses a caller whose deadline has already passed instead of queueing it", async () => {
    const permits = new Permits(0, 10, "the pool");
    await expect(permits.acquire(Date.now() - 1)).rejects.toMatchObject({ code: "OVERLOADED" });
    expect(permits.waiting).toBe(0);
  });
});
