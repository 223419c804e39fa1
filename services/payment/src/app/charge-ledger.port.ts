import type { ChargeRecord, ChargeRequest } from "../domain/charge";

/** The order charges ledger: at most one row per order id, holding that order's first outcome. */
export interface ChargeLedger {
  /**
   * Atomically claims the order id and, when the customer's balance in the request's currency covers
   * the amount, takes the money from that balance only; the row
   * says `charged` or `declined`. When the order already has a row, changes nothing and returns it.
   * Concurrent calls for one order id are serialized: exactly one of them writes.
   */
  chargeOnce(request: ChargeRequest): Promise<ChargeRecord>;
  /**
   * Returns a `charged` order's money to the balance it was taken from (the charge's currency; it
   * becomes `refunded`) and says whether this call did so.
   * An order without a row gets a `voided` tombstone so that a later charge for it is refused.
   */
  refund(orderId: string): Promise<boolean>;
}
