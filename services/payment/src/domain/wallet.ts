/** One balance of a customer's wallet: a wallet holds one per currency, and money never moves between them. */
export interface Wallet {
  readonly customerId: string;
  readonly currency: string;
  readonly balanceCents: number;
}

export interface CreditRequest {
  readonly customerId: string;
  readonly currency: string;
  readonly amountCents: number;
}

export interface GetWalletRequest {
  readonly customerId: string;
  readonly currency: string;
}
