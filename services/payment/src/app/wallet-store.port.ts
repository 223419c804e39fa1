import type { Wallet } from "../domain/wallet";

/** Customer wallets. Every balance change also appends a wallet entry, in the same statement. */
export interface WalletStore {
  /** Adds to the balance, creating the wallet on the first credit; returns the new balance. */
  credit(customerId: string, amountCents: number): Promise<Wallet>;
  find(customerId: string): Promise<Wallet | undefined>;
}
