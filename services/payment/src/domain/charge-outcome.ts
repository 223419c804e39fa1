import type { ChargeReceipt, ChargeRecord, ChargeRequest } from "./charge";

/** What a Charge call answers, given the order's ledger row (just written, or found from earlier). */
export type ChargeOutcome =
  | { readonly kind: "charged"; readonly receipt: ChargeReceipt }
  | { readonly kind: "declined" }
  | { readonly kind: "mismatch" }
  | { readonly kind: "voided" };

/**
 * Idempotency by order id: the row holds the first outcome and every repeat gets it again.
 * A voided tombstone wins over everything (it has no customer to compare). A refunded charge is
 * refused as voided rather than reported as paid, because the money is no longer held: answering
 * "charged" would let a late retry confirm an order that was already compensated.
 */
export function chargeOutcome(record: ChargeRecord, request: ChargeRequest): ChargeOutcome {
  if (record.status === "voided") return { kind: "voided" };
  if (
    record.customerId !== request.customerId ||
    record.amountCents !== request.amountCents ||
    record.currency !== request.currency
  ) {
    return { kind: "mismatch" };
  }
  switch (record.status) {
    case "declined":
      return { kind: "declined" };
    case "refunded":
      return { kind: "voided" };
    case "charged":
      if (record.chargeId === null) throw new Error(`charged order ${record.orderId} has no charge id`);
      return {
        kind: "charged",
        receipt: { chargeId: record.chargeId, amountCents: record.amountCents, currency: request.currency },
      };
  }
}
