import { conflict, invalid, notFound, refused, type AppError } from "@qc/platform/errors";

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

/** A payment error: a value domain checks return (in a `Checked`) and use cases throw. */
export type PaymentError = AppError<PaymentErrorCode>;

export const invalidInput = (code: PaymentErrorCode, message: string): PaymentError => invalid(code, message);

export const walletNotFound = (customerId: string, currency: string): PaymentError =>
  notFound(PaymentErrorCode.WalletNotFound, `customer ${customerId} holds no ${currency}`);

export const paymentDeclined = (orderId: string): PaymentError =>
  refused(PaymentErrorCode.PaymentDeclined, `payment for order ${orderId} declined`);

export const chargeMismatch = (orderId: string): PaymentError =>
  conflict(
    PaymentErrorCode.ChargeMismatch,
    `order ${orderId} was already charged with a different customer, amount or currency`,
  );

export const chargeVoided = (orderId: string): PaymentError =>
  refused(PaymentErrorCode.ChargeVoided, `order ${orderId} was compensated and can no longer be charged`);
