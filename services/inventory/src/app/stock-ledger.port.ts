import type { Product } from "../domain/product";
import type { DeductionRequest, Reservation, ReservationStatus } from "../domain/stock-deduction";

/**
 * Stock and the per-order reservation ledger, changed only inside a transaction so that a
 * deduction or a compensation happens completely or not at all.
 */
export interface StockLedger {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: StockLedgerTransaction) => Promise<T>): Promise<T>;
  /**
   * A DeductStock's ledger work in one atomic step (one round trip): claims the order as `claimOrder`
   * does (concurrent claims of one order wait for each other); when it was already there, changes
   * nothing and answers its entry. Otherwise locks its products as `lockProducts` does and, when every
   * line exists and is covered by stock in one currency, takes the lines off stock and records them
   * at the products' prices; else changes nothing (the claim is taken back). Answers the products as
   * locked, before the deduction, so the caller plans the lines or the refusal from them.
   */
  deductStock(request: DeductionRequest): Promise<LedgerDeduction>;
}

/** What `StockLedger.deductStock` did. */
export type LedgerDeduction =
  | { readonly kind: "existing"; readonly reservation: Reservation }
  | { readonly kind: "refused"; readonly products: readonly Product[] }
  | { readonly kind: "deducted"; readonly products: readonly Product[] };

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
  /** Puts the order's recorded lines back on stock and marks the order released. */
  release(orderId: string): Promise<void>;
}
