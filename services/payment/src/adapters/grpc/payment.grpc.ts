import type { paymentV1 } from "@qc/contracts";
import type { UnaryHandlers } from "@qc/platform/grpc";
import { DEFAULT_CURRENCY } from "@qc/platform/money";
import type { ChargeOrder } from "../../app/charge-order.use-case";
import type { CreditWallet } from "../../app/credit-wallet.use-case";
import type { GetWallet } from "../../app/get-wallet.use-case";
import type { RefundOrder } from "../../app/refund-order.use-case";

/** An empty currency on the wire is a caller older than currencies: its money was the default one. */
const currencyOf = (wire: string): string => wire || DEFAULT_CURRENCY;

/**
 * The Payment use cases, one per RPC. Each validates its input too (defence in depth): whatever the
 * caller, bad input never reaches a store.
 */
export interface PaymentUseCases {
  readonly creditWallet: Pick<CreditWallet, "execute">;
  readonly getWallet: Pick<GetWallet, "execute">;
  readonly chargeOrder: Pick<ChargeOrder, "execute">;
  readonly refundOrder: Pick<RefundOrder, "execute">;
}

/** Decode proto → use case → encode proto. Errors are mapped to statuses by `implement()`. */
export function paymentHandlers(payments: PaymentUseCases): UnaryHandlers<typeof paymentV1.PaymentServiceService> {
  return {
    credit: async ({ customerId, amountCents, currency }) => ({
      wallet: await payments.creditWallet.execute({ customerId, amountCents, currency: currencyOf(currency) }),
    }),
    getWallet: async ({ customerId, currency }) => ({
      wallet: await payments.getWallet.execute({ customerId, currency: currencyOf(currency) }),
    }),
    charge: async ({ orderId, customerId, amountCents, currency }) =>
      payments.chargeOrder.execute({ orderId, customerId, amountCents, currency: currencyOf(currency) }),
    refund: async ({ orderId }) => payments.refundOrder.execute({ orderId }),
  };
}
