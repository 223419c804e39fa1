import type { Wallet } from "../domain/wallet";

/** Customer wallets, one balance per currency. Every balance change also appends a wallet entry, in the same statement. */
export interface WalletStore {
  /** Adds to the customer's balance in `currency`, creating it on its first credit; returns the new balance. */
  credit(customerId: string, currency: string, amountCents: number): Promise<Wallet>;
  find(customerId: string, currency: string): Promise<Wallet | undefined>;
}
