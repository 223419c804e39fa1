import { conflict, invalid, notFound, refused } from "@qc/platform/errors";
import type { ChargeReceipt, ChargeRequest, RefundRequest, RefundResult } from "../domain/charge";
import { chargeOutcome } from "../domain/charge-outcome";
import { PaymentErrorCode } from "../domain/payment.errors";
import {
  checkChargeAmount,
  checkCreditAmount,
  checkCurrency,
  checkCustomerId,
  checkOrderId,
  type Violation,
} from "../domain/payment-input.validation";
import type { CreditRequest, GetWalletRequest, Wallet } from "../domain/wallet";
import type { ChargeLedger } from "./charge-ledger.port";
import type { WalletStore } from "./wallet-store.port";

/** Throws the first violation as an `invalid` AppError, before anything touches state. */
function ensureValid(...violations: (Violation | undefined)[]): void {
  const first = violations.find((v) => v !== undefined);
  if (first) throw invalid(first.code, first.message);
}

/**
 * The Payment use cases, callable in-process or through the gRPC adapter. Input is validated here
 * too (defence in depth): whatever the caller, bad input never reaches a store.
 */
export class PaymentService {
  constructor(
    private readonly wallets: WalletStore,
    private readonly ledger: ChargeLedger,
  ) {}

  async credit({ customerId, currency, amountCents }: CreditRequest): Promise<Wallet> {
    ensureValid(checkCustomerId(customerId), checkCurrency(currency), checkCreditAmount(amountCents));
    return this.wallets.credit(customerId, currency, amountCents);
  }

  async getWallet({ customerId, currency }: GetWalletRequest): Promise<Wallet> {
    ensureValid(checkCustomerId(customerId), checkCurrency(currency));
    const wallet = await this.wallets.find(customerId, currency);
    if (!wallet) throw notFound(PaymentErrorCode.WalletNotFound, `customer ${customerId} holds no ${currency}`);
    return wallet;
  }

  /** Idempotent by order id: a repeat gets the first outcome and never moves money again. */
  async charge(request: ChargeRequest): Promise<ChargeReceipt> {
    ensureValid(
      checkOrderId(request.orderId),
      checkCustomerId(request.customerId),
      checkCurrency(request.currency),
      checkChargeAmount(request.amountCents),
    );
    const outcome = chargeOutcome(await this.ledger.chargeOnce(request), request);
    switch (outcome.kind) {
      case "charged":
        return outcome.receipt;
      case "declined":
        throw refused(PaymentErrorCode.PaymentDeclined, `payment for order ${request.orderId} declined`);
      case "mismatch":
        throw conflict(
          PaymentErrorCode.ChargeMismatch,
          `order ${request.orderId} was already charged with a different customer, amount or currency`,
        );
      case "voided":
        throw refused(PaymentErrorCode.ChargeVoided, `order ${request.orderId} was compensated and can no longer be charged`);
    }
  }

  /** Idempotent by order id; a no-op (that still blocks later charges) when the order was never charged. */
  async refund({ orderId }: RefundRequest): Promise<RefundResult> {
    ensureValid(checkOrderId(orderId));
    return { refunded: await this.ledger.refund(orderId) };
  }
}
