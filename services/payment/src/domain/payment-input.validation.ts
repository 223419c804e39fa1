import { isSubject, SUBJECT_RULE } from "@qc/platform/identity";
import { CURRENCY_RULE, isCurrency, MAX_CHARGE_CENTS } from "@qc/platform/money";
import { accepted, allAccepted, rejected, type Checked } from "@qc/platform/errors";
import type { ChargeRequest, RefundRequest } from "./charge";
import { invalidInput, PaymentErrorCode } from "./payment.errors";
import type { CreditRequest, GetWalletRequest } from "./wallet";

// Control characters are refused because Postgres cannot store NUL in TEXT: such an id would
// otherwise surface as an internal error instead of a clear INVALID_ORDER_ID.
const ORDER_ID = /^[^\p{Cc}]{1,64}$/u;

export const MAX_CREDIT_CENTS = 1_000_000_000;

export function checkCustomerId(customerId: unknown): Checked<string> {
  if (isSubject(customerId)) return accepted(customerId);
  return rejected(invalidInput(PaymentErrorCode.InvalidCustomerId, `customer_id must be ${SUBJECT_RULE}`));
}

export function checkOrderId(orderId: unknown): Checked<string> {
  if (typeof orderId === "string" && ORDER_ID.test(orderId)) return accepted(orderId);
  return rejected(
    invalidInput(PaymentErrorCode.InvalidOrderId, "order_id must be 1-64 characters without control characters"),
  );
}

export function checkCurrency(currency: unknown): Checked<string> {
  if (isCurrency(currency)) return accepted(currency);
  return rejected(invalidInput(PaymentErrorCode.InvalidCurrency, `currency must be ${CURRENCY_RULE}`));
}

// A zero charge is refused rather than "succeeding trivially": it would write a ledger row that
// moves no money. The order service never asks for one: it confirms an order of free items without
// a charge, and refuses a total above MAX_CHARGE_CENTS before writing the order.
function checkAmount(amountCents: unknown, max: number): Checked<number> {
  if (typeof amountCents === "number" && Number.isSafeInteger(amountCents) && amountCents >= 1 && amountCents <= max) {
    return accepted(amountCents);
  }
  return rejected(invalidInput(PaymentErrorCode.InvalidAmount, `amount_cents must be an integer from 1 to ${max}`));
}

export const checkCreditAmount = (amountCents: unknown): Checked<number> => checkAmount(amountCents, MAX_CREDIT_CENTS);
export const checkChargeAmount = (amountCents: unknown): Checked<number> => checkAmount(amountCents, MAX_CHARGE_CENTS);

// Each request is checked field by field in this order; the first broken rule is the answer.
export const parseCreditRequest = (r: CreditRequest): Checked<CreditRequest> =>
  allAccepted(r, checkCustomerId(r.customerId), checkCurrency(r.currency), checkCreditAmount(r.amountCents));

export const parseGetWalletRequest = (r: GetWalletRequest): Checked<GetWalletRequest> =>
  allAccepted(r, checkCustomerId(r.customerId), checkCurrency(r.currency));

export const parseChargeRequest = (r: ChargeRequest): Checked<ChargeRequest> =>
  allAccepted(
    r,
    checkOrderId(r.orderId),
    checkCustomerId(r.customerId),
    checkCurrency(r.currency),
    checkChargeAmount(r.amountCents),
  );

export const parseRefundRequest = (r: RefundRequest): Checked<RefundRequest> => allAccepted(r, checkOrderId(r.orderId));
