import { valueOrThrow } from "@qc/platform/errors";
import { parseCreditRequest } from "../domain/payment-input.validation";
import type { CreditRequest, Wallet } from "../domain/wallet";
import type { WalletStore } from "./wallet-store.port";

/** Adds money to a customer's balance in one currency. */
export class CreditWallet {
  constructor(private readonly wallets: Pick<WalletStore, "credit">) {}

  async execute(request: CreditRequest): Promise<Wallet> {
    const { customerId, currency, amountCents } = valueOrThrow(parseCreditRequest(request));
    return this.wallets.credit(customerId, currency, amountCents);
  }
}
