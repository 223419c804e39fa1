import { isSubject, SUBJECT_RULE } from "@qc/platform/identity";
import { CURRENCY_RULE, isCurrency, MAX_CHARGE_CENTS } from "@qc/platform/money";
import { PaymentErrorCode } from "./payment.errors";

/** A rule of the input that a request breaks. */
export interface Violation {
  readonly code: PaymentErrorCode;
  readonly message: string;
}

// Control characters are refused because Postgres cannot store NUL in TEXT: such an id would
// otherwise surface as an internal error instead of a clear INVALID_ORDER_ID.
const ORDER_ID = /^[^\p{Cc}]{1,64}$/u;

export const MAX_CREDIT_CENTS = 1_000_000_000;

export function checkCustomerId(customerId: unknown): Violation | undefined {
  if (isSubject(customerId)) return undefined;
  return {
    code: PaymentErrorCode.InvalidCustomerId,
    message: `customer_id must be ${SUBJECT_RULE}`,
  };
}

export function checkOrderId(orderId: unknown): Violation | undefined {
  if (typeof orderId === "string" && ORDER_ID.test(orderId)) return undefined;
  return { code: PaymentErrorCode.InvalidOrderId, message: "order_id must be 1-64 characters without control characters" };
}

export function checkCurrency(currency: unknown): Violation | undefined {
  if (isCurrency(currency)) return undefined;
  return { code: PaymentErrorCode.InvalidCurrency, message: `currency must be ${CURRENCY_RULE}` };
}

// A zero charge is refused rather than "succeeding trivially": it would write a ledger row that
// moves no money. The order service never asks for one: it confirms an order of free items without
// a charge, and refuses a total above MAX_CHARGE_CENTS before writing the order.
function checkAmount(amountCents: unknown, max: number): Violation | undefined {
  if (typeof amountCents === "number" && Number.isSafeInteger(amountCents) && amountCents >= 1 && amountCents <= max) {
    return undefined;
  }
  return { code: PaymentErrorCode.InvalidAmount, message: `amount_cents must be an integer from 1 to ${max}` };
}

export const checkCreditAmount = (amountCents: unknown): Violation | undefined => checkAmount(amountCents, MAX_CREDIT_CENTS);
export const checkChargeAmount = (amountCents: unknown): Violation | undefined => checkAmount(amountCents, MAX_CHARGE_CENTS);
