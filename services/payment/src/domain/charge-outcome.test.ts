import { describe, expect, it } from "vitest";
import type { ChargeRecord, ChargeRequest } from "./charge";
import { chargeOutcome } from "./charge-outcome";

const request: ChargeRequest = { orderId: "o1", customerId: "c1", amountCents: 500, currency: "EUR" };
const row = (patch: Partial<ChargeRecord>): ChargeRecord => ({
  orderId: "o1",
  customerId: "c1",
  amountCents: 500,
  currency: "EUR",
  status: "charged",
  chargeId: "ch-1",
  ...patch,
});

describe("chargeOutcome", () => {
  it("answers a charged row with its receipt", () => {
    expect(chargeOutcome(row({}), request)).toEqual({
      kind: "charged",
      receipt: { chargeId: "ch-1", amountCents: 500, currency: "EUR" },
    });
  });

  it("keeps a declined row declined", () => {
    expect(chargeOutcome(row({ status: "declined", chargeId: null }), request)).toEqual({ kind: "declined" });
  });

  it("refuses a tombstone whatever the request says", () => {
    const tombstone = row({ status: "voided", customerId: null, amountCents: 0, currency: null, chargeId: null });
    expect(chargeOutcome(tombstone, request)).toEqual({ kind: "voided" });
  });

  it("refuses a refunded order instead of reporting it paid", () => {
    expect(chargeOutcome(row({ status: "refunded" }), request)).toEqual({ kind: "voided" });
  });

  it.each<Partial<ChargeRecord>>([
    { customerId: "c2" },
    { amountCents: 501 },
    { currency: "USD" },
    { status: "declined", amountCents: 1 },
    { status: "declined", currency: "USD" },
    { status: "refunded", customerId: "c2" },
  ])("calls a different customer, amount or currency a mismatch (%o)", (patch) => {
    expect(chargeOutcome(row(patch), request)).toEqual({ kind: "mismatch" });
  });
});
