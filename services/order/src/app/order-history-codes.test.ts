import { AppError, refused } from "@qc/platform/errors";
import { describe, expect, it } from "vitest";
import type { Order } from "../domain/order";
import type { NewHistory, OrderRepository } from "./order.repository.port";
import { OrderSaga } from "./order-saga";
import { pendingOrder, TEST_OWNER } from "./testing/pending-order";
import type { DeadLetterRepository } from "./dead-letter.repository.port";

const refusedConnection = () =>
  new AppError(
    "unavailable",
    "SERVICE_UNAVAILABLE",
    "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:50053",
  );

/** A saga whose charge fails as given and whose first stock release fails once; its written history. */
async function historyOf(chargeError: Error): Promise<NewHistory[]> {
  const history: NewHistory[] = [];
  let releaseFailures = 1;
  const order: Order = pendingOrder();
  const orders = {
    get: async () => ({ ...order, sagaOwner: TEST_OWNER }),
    recordFailing: async (_id: string, _owner: string, _reason: string, _r: unknown, h: readonly NewHistory[]) =>
      void history.push(...h),
    finish: async (
      _id: string,
      _owner: string,
      _s: string,
      _reason: string | null,
      _r: unknown,
      h: readonly NewHistory[],
    ) => void history.push(...h),
  } as unknown as OrderRepository;
  const saga = new OrderSaga({
    orders,
    deadLetters: { add: async () => undefined } as unknown as DeadLetterRepository,
    inventory: {
      catalog: async (skus) => new Map(skus.map((sku) => [sku, { priceCents: 150, currency: "EUR" }])),
      deductStock: async (_id, lines) => ({
        lines: lines.map((l) => ({ ...l, unitPriceCents: 150 })),
        totalCents: 300,
        currency: "EUR",
      }),
      addStock: async () => (releaseFailures-- > 0 ? Promise.reject(refusedConnection()) : { restored: true }),
    },
    payment: { charge: async () => Promise.reject(chargeError), refund: async () => ({ refunded: true }) },
    owner: TEST_OWNER,
    compensation: { attempts: 3, backoffMs: 1, deadLetterRetryMs: 1000 },
    newId: () => "dl-1",
  });
  await saga.drive("o-1");
  return history;
}

describe("order history codes", () => {
  it("gives every entry a stable code: what happened, or the failure's own code; the raw error stays in detail", async () => {
    const history = await historyOf(refusedConnection());
    expect(history.map((h) => `${h.step}:${h.outcome}:${h.code}`)).toEqual([
      "reserve-stock:done:STOCK_RESERVED",
      "charge-payment:failed:SERVICE_UNAVAILABLE",
      "refund-payment:done:PAYMENT_REFUNDED",
      "release-stock:retry:SERVICE_UNAVAILABLE",
      "release-stock:done:STOCK_RELEASED",
      "saga:failed:SERVICE_UNAVAILABLE",
    ]);
    expect(history[1]?.detail).toContain("ECONNREFUSED 127.0.0.1:50053");
  });

  it("names a declined payment PAYMENT_DECLINED, and an error without a code INTERNAL", async () => {
    expect((await historyOf(refused("PAYMENT_DECLINED", "balance too low")))[1]?.code).toBe("PAYMENT_DECLINED");
    expect((await historyOf(new TypeError("x is undefined")))[1]?.code).toBe("INTERNAL");
  });
});
