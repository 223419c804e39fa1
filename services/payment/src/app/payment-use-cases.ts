import type { ChargeLedger } from "./charge-ledger.port";
import { ChargeOrder } from "./charge-order.use-case";
import { CreditWallet } from "./credit-wallet.use-case";
import { GetWallet } from "./get-wallet.use-case";
import { RefundOrder } from "./refund-order.use-case";
import type { WalletStore } from "./wallet-store.port";

/** Every payment use case over its stores: what the app serves and what the unit tests drive. */
export const paymentUseCases = (wallets: WalletStore, ledger: ChargeLedger) => ({
  creditWallet: new CreditWallet(wallets),
  getWallet: new GetWallet(wallets),
  chargeOrder: new ChargeOrder(ledger),
  refundOrder: new RefundOrder(ledger),
});
