import { orderV1 } from "@qc/contracts";
import { describe, expect, it } from "vitest";
import { anOrder } from "../testing/fixtures";
import { toOrderView } from "./order-view";

describe("toOrderView", () => {
  it("leaves out empty optional strings and a missing location", () => {
    const view = toOrderView(anOrder());
    expect(view).toEqual({
      id: "ord-1",
      customerId: "alice",
      status: "CONFIRMED",
      items: [{ sku: "apple", quantity: 2, priceCents: 150 }],
      totalCents: 300,
      currency: "EUR",
      createdAt: "2026-01-01T10:00:00.000Z",
      updatedAt: "2026-01-01T10:00:01.000Z",
      history: [{ step: "DeductStock", outcome: "ok", at: "2026-01-01T10:00:00.500Z" }],
    });
  });

  it("keeps the optional fields that are set", () => {
    const view = toOrderView(
      anOrder({
        status: orderV1.OrderStatus.ORDER_STATUS_FAILED,
        failureReason: "PAYMENT_DECLINED",
        riderId: "r-9",
        deliveryLocation: { lat: 0, lon: 0 },
        history: [{ step: "Charge", outcome: "declined", detail: "insufficient funds", at: "t" }],
      }),
    );
    expect(view).toMatchObject({
      status: "FAILED",
      failureReason: "PAYMENT_DECLINED",
      riderId: "r-9",
      deliveryLocation: { lat: 0, lon: 0 },
      history: [{ step: "Charge", outcome: "declined", detail: "insufficient funds", at: "t" }],
    });
  });

  it("refuses an order without a known status", () => {
    expect(() => toOrderView(anOrder({ status: orderV1.OrderStatus.ORDER_STATUS_UNSPECIFIED }))).toThrow(/unknown status/);
  });
});
