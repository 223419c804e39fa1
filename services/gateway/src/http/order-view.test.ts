import { orderV1 } from "@qc/contracts";
import { describe, expect, it } from "vitest";
import { anOrder } from "../testing/fixtures";
import { toOrderView } from "./order-view";

const RAW = "SERVICE_UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:50053";
const failedOrder = () =>
  anOrder({
    status: orderV1.OrderStatus.ORDER_STATUS_FAILED,
    failureReason: "SERVICE_UNAVAILABLE",
    history: [
      { step: "reserve-stock", outcome: "done", code: "STOCK_RESERVED", detail: "total 300 EUR", at: "t1" },
      { step: "charge-payment", outcome: "failed", code: "SERVICE_UNAVAILABLE", detail: RAW, at: "t2" },
      { step: "release-stock", outcome: "retry", code: "SOMETHING_NEW", detail: `attempt 1 failed: ${RAW}`, at: "t3" },
      { step: "saga", outcome: "failed", code: "", detail: "SERVICE_UNAVAILABLE", at: "t4" },
    ],
  });

describe("toOrderView", () => {
  it("leaves out empty optional strings and a missing location", () => {
    const view = toOrderView(anOrder(), "customer");
    expect(view).toEqual({
      id: "ord-1",
      customerId: "alice",
      status: "CONFIRMED",
      items: [{ sku: "apple", quantity: 2, priceCents: 150 }],
      totalCents: 300,
      currency: "EUR",
      createdAt: "2026-01-01T10:00:00.000Z",
      updatedAt: "2026-01-01T10:00:01.000Z",
      history: [
        {
          step: "reserve-stock",
          outcome: "done",
          code: "STOCK_RESERVED",
          message: "The items were reserved.",
          at: "2026-01-01T10:00:00.500Z",
        },
      ],
    });
  });

  it("keeps the optional fields that are set", () => {
    const view = toOrderView(anOrder({ riderId: "r-9", deliveryLocation: { lat: 0, lon: 0 } }), "customer");
    expect(view).toMatchObject({ riderId: "r-9", deliveryLocation: { lat: 0, lon: 0 } });
  });

  it("shows customers each history entry's code and a fixed sentence, never the raw detail", () => {
    const view = toOrderView(failedOrder(), "customer");
    expect(JSON.stringify(view)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|No connection/);
    expect(view.history).toEqual([
      { step: "reserve-stock", outcome: "done", code: "STOCK_RESERVED", message: "The items were reserved.", at: "t1" },
      {
        step: "charge-payment",
        outcome: "failed",
        code: "SERVICE_UNAVAILABLE",
        message: "A service was temporarily unavailable.",
        at: "t2",
      },
      // A code the gateway has no sentence for yet: the sentence of its outcome.
      {
        step: "release-stock",
        outcome: "retry",
        code: "SOMETHING_NEW",
        message: "This step did not succeed and is being retried.",
        at: "t3",
      },
      // Written by a service older than codes: named by step and outcome.
      { step: "saga", outcome: "failed", code: "SAGA_FAILED", message: "This step did not succeed.", at: "t4" },
    ]);
  });

  it("shows admins the raw detail too", () => {
    const view = toOrderView(failedOrder(), "admin");
    expect(view.history[1]).toEqual({
      step: "charge-payment",
      outcome: "failed",
      code: "SERVICE_UNAVAILABLE",
      message: "A service was temporarily unavailable.",
      detail: RAW,
      at: "t2",
    });
  });

  it("refuses an order without a known status", () => {
    expect(() => toOrderView(anOrder({ status: orderV1.OrderStatus.ORDER_STATUS_UNSPECIFIED }), "customer")).toThrow(
      /unknown status/,
    );
  });
});
