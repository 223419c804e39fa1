/**
 * charged: the money was taken; declined: it was not (first outcome, kept forever);
 * refunded: taken, then returned by a compensation; voided: a tombstone left by a refund that
 * arrived before any charge, so a late charge for that order is refused.
 */
export type ChargeStatus = "charged" | "declined" | "refunded" | "voided";

export interface ChargeRequest {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountCents: number;
  /** The order's currency: only the customer's balance in it is debited. */
  readonly currency: string;
}

/** The one row an order ever has in the ledger. */
export interface ChargeRecord {
  readonly orderId: string;
  /** Null only for a voided tombstone: the refund that left it did not know the customer. */
  readonly customerId: string | null;
  readonly amountCents: number;
  /** Null only for a voided tombstone, as the customer. A refund returns the money to this balance. */
  readonly currency: string | null;
  readonly status: ChargeStatus;
  /** Set once money was taken (charged, refunded). */
  readonly chargeId: string | null;
}

export interface ChargeReceipt {
  readonly chargeId: string;
  readonly amountCents: number;
  readonly currency: string;
}

export interface RefundRequest {
  readonly orderId: string;
}

export interface RefundResult {
  /** True when this call returned the money; false when there was nothing (left) to refund. */
  readonly refunded: boolean;
}
