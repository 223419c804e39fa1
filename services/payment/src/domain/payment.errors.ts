/**
 * Stable codes of every error the Payment service answers with. Callers branch on these strings
 * (the order saga, the gateway's problem+json), so a code, once published, never changes meaning.
 */
export const PaymentErrorCode = {
  /** customer_id is empty, too long or has characters outside `[A-Za-z0-9_.@-]`. */
  InvalidCustomerId: "INVALID_CUSTOMER_ID",
  /** order_id is empty, longer than 64 characters or contains control characters. */
  InvalidOrderId: "INVALID_ORDER_ID",
  /** amount_cents is not an integer within the allowed range. */
  InvalidAmount: "INVALID_AMOUNT",
  /** currency is not three capital letters (ISO 4217). */
  InvalidCurrency: "INVALID_CURRENCY",
  /** The customer has never been credited in the currency asked for, so holds no balance in it. */
  WalletNotFound: "WALLET_NOT_FOUND",
  /** The balance in the order's currency is missing or short of the amount; a repeat of the same order stays declined. */
  PaymentDeclined: "PAYMENT_DECLINED",
  /** The order was already charged with a different customer, amount or currency. */
  ChargeMismatch: "CHARGE_MISMATCH",
  /** The order was compensated (refunded, or voided before any charge); it can no longer be charged. */
  ChargeVoided: "CHARGE_VOIDED",
} as const;

export type PaymentErrorCode = (typeof PaymentErrorCode)[keyof typeof PaymentErrorCode];
