import type { Product } from "../domain/product";
import type { Reservation, ReservationStatus, ReservedLine } from "../domain/stock-deduction";

/**
 * Stock and the per-order reservation ledger, changed only inside a transaction so that a
 * deduction or a compensation happens completely or not at all.
 */
export interface StockLedger {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: StockLedgerTransaction) => Promise<T>): Promise<T>;
}

/** The steps a use case composes inside one StockLedger transaction. */
export interface StockLedgerTransaction {
  /**
   * Enters `orderId` in the ledger with `status` and no lines, and resolves undefined; or, when the
   * order is already there, leaves it unchanged, locks it for the rest of the transaction and
   * resolves its entry. Concurrent claims of one order wait for each other, so only one transaction
   * at a time acts on an order.
   */
  claimOrder(orderId: string, status: ReservationStatus): Promise<Reservation | undefined>;
  /**
   * Locks the existing products among `skus` against concurrent change, always in sku order (the
   * one fixed order is what keeps concurrent multi-line deductions from deadlocking), and resolves
   * their current state.
   */
  lockProducts(skus: readonly string[]): Promise<Product[]>;
  /** Takes each line off its (locked) product's stock and records the lines against the order. */
  deduct(orderId: string, lines: readonly ReservedLine[]): Promise<void>;
  /** Puts the order's recorded lines back on stock and marks the order released. */
  release(orderId: string): Promise<void>;
}
