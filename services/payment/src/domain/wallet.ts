export interface Wallet {
  readonly customerId: string;
  readonly balanceCents: number;
}

export interface CreditRequest {
  readonly customerId: string;
  readonly amountCents: number;
}

export interface GetWalletRequest {
  readonly customerId: string;
}
