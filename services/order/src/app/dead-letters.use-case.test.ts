import { describe, expect, it, vi } from "vitest";
import type { Order } from "../domain/order";
import type { DeadLetter, DeadLetterRepository } from "./dead-letter.repository.port";
import { DeadLetters } from "./dead-letters.use-case";
import type { InventoryPort, PaymentPort, RiderPort } from "./dependencies.port";
import type { OrderRepository } from "./order.repository.port";

const ORDER_ID = "0a1b2c3d-0000-4000-8000-00000000abcd";

const deadLetter = (o: Partial<DeadLetter> = {}): DeadLetter => ({
  id: "dl-1",
  orderId: ORDER_ID,
  step: "release-rider",
  error: "RIDER_NOT_RELEASED",
  attempts: 3,
  status: "open",
  nextAttemptAt: new Date(0),
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...o,
});

/** One open dead letter that a replay or redrive locks; what the work answered is kept. */
function setup(release: RiderPort["release"]) {
  const outcomes: { resolved: boolean; error?: string }[] = [];
  const repo = {
    withLocked: vi.fn(
      async (
        _id: string | null,
        work: (e: DeadLetter) => Promise<{ resolved: boolean; error?: string; result: unknown }>,
      ) => {
        const outcome = await work(deadLetter());
        outcomes.push(outcome);
        return outcome.result;
      },
    ),
  };
  const orders = {
    get: vi.fn(async (id: string) => ({ id, status: "DELIVERED", riderId: "r-1" }) as Order),
    appendHistory: vi.fn(async () => undefined),
  };
  const releases = vi.fn(release);
  const riders: RiderPort = {
    assignNearest: async () => ({ riderId: "r-9" }),
    release: releases,
    hold: async () => ({ restored: false }),
  };
  const deadLetters = new DeadLetters(
    repo as unknown as DeadLetterRepository,
    orders as unknown as OrderRepository,
    {} as InventoryPort,
    {} as PaymentPort,
    riders,
    1_000,
  );
  return { deadLetters, outcomes, orders, releases };
}

describe("DeadLetters: release-rider", () => {
  it("stays open when the redrive frees nothing, and a replay says it still fails", async () => {
    const t = setup(async () => ({ released: false }));
    expect(await t.deadLetters.redriveDue(1)).toBe(0);
    expect(t.outcomes).toHaveLength(1);
    expect(t.outcomes[0]?.resolved).toBe(false);
    expect(t.outcomes[0]?.error).toMatch(/^RIDER_NOT_RELEASED/);
    await expect(t.deadLetters.replay("dl-1")).rejects.toMatchObject({ code: "DEAD_LETTER_STILL_FAILING" });
    expect(t.orders.appendHistory).not.toHaveBeenCalled();
  });

  it("resolves once the rider service answers released, naming the order's rider", async () => {
    const t = setup(async () => ({ released: true }));
    expect(await t.deadLetters.redriveDue(1)).toBe(1);
    expect(t.releases).toHaveBeenCalledWith(ORDER_ID, "r-1");
    expect(t.orders.appendHistory).toHaveBeenCalledWith(ORDER_ID, [
      expect.objectContaining({ step: "release-rider", outcome: "done" }),
    ]);
  });
});
