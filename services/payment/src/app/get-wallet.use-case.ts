import { valueOrThrow } from "@qc/platform/errors";
import { walletNotFound } from "../domain/payment.errors";
import { parseGetWalletRequest } from "../domain/payment-input.validation";
import type { GetWalletRequest, Wallet } from "../domain/wallet";
import type { WalletStore } from "./wallet-store.port";

/** A customer's balance in one currency; WALLET_NOT_FOUND when they never held any. */
export class GetWallet {
  constructor(private readonly wallets: Pick<WalletStore, "find">) {}

  async execute(request: GetWalletRequest): Promise<Wallet> {
    const { customerId, currency } = valueOrThrow(parseGetWalletRequest(request));
    const wallet = await this.wallets.find(customerId, currency);
    if (!wallet) throw walletNotFound(customerId, currency);
    return wallet;
  }
}
