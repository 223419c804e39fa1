import { valueOrThrow } from "@qc/platform/errors";
import type { ChargeReceipt, ChargeRequest, RefundRequest, RefundResult } from "../domain/charge";
import { chargeOutcome } from "../domain/charge-outcome";
import { chargeMismatch, chargeVoided, paymentDeclined, walletNotFound } from "../domain/payment.errors";
import { parseChargeRequest, parseCreditRequest, parseGetWalletRequest, parseRefundRequest } from "../domain/payment-input.validation";
import type { CreditRequest, GetWalletRequest, Wallet } from "../domain/wallet";
import type { ChargeLedger } from "./charge-ledger.port";
import type { WalletStore } from "./wallet-store.port";

/**
 * The Payment use cases, callable in-process or through the gRPC adapter. Input is validated here
 * too (defence in depth): whatever the caller, bad input never reaches a store.
 */
export class PaymentService {
  constructor(
    private readonly wallets: WalletStore,
    private readonly ledger: ChargeLedger,
  ) {}

  async credit(request: CreditRequest): Promise<Wallet> {
    const { customerId, currency, amountCents } = valueOrThrow(parseCreditRequest(request));
    return this.wallets.credit(customerId, currency, amountCents);
  }

  async getWallet(request: GetWalletRequest): Promise<Wallet> {
    const { customerId, currency } = valueOrThrow(parseGetWalletRequest(request));
    const wallet = await this.wallets.find(customerId, currency);
    if (!wallet) throw walletNotFound(customerId, currency);
    return wallet;
  }

  /** Idempotent by order id: a repeat gets the first outcome and never moves money again. */
  async charge(request: ChargeRequest): Promise<ChargeReceipt> {
    valueOrThrow(parseChargeRequest(request));
    const outcome = chargeOutcome(await this.ledger.chargeOnce(request), request);
    switch (outcome.kind) {
      case "charged":
        return outcome.receipt;
      case "declined":
        throw paymentDeclined(request.orderId);
      case "mismatch":
        throw chargeMismatch(request.orderId);
      case "voided":
        throw chargeVoided(request.orderId);
    }
  }

  /** Idempotent by order id; a no-op (that still blocks later charges) when the order was never charged. */
  async refund(request: RefundRequest): Promise<RefundResult> {
    const { orderId } = valueOrThrow(parseRefundRequest(request));
    return { refunded: await this.ledger.refund(orderId) };
  }
}
