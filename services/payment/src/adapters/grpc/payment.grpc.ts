import type { paymentV1 } from "@qc/contracts";
import type { UnaryHandlers } from "@qc/platform/grpc";
import { DEFAULT_CURRENCY } from "@qc/platform/money";
import type { PaymentService } from "../../app/payment.service";

/** An empty currency on the wire is a caller older than currencies: its money was the default one. */
const currencyOf = (wire: string): string => wire || DEFAULT_CURRENCY;

/** Decode proto → use case → encode proto. Errors are mapped to statuses by `implement()`. */
export function paymentHandlers(payments: PaymentService): UnaryHandlers<typeof paymentV1.PaymentServiceService> {
  return {
    credit: async ({ customerId, amountCents, currency }) => ({
      wallet: await payments.credit({ customerId, amountCents, currency: currencyOf(currency) }),
    }),
    getWallet: async ({ customerId, currency }) => ({ wallet: await payments.getWallet({ customerId, currency: currencyOf(currency) }) }),
    charge: async ({ orderId, customerId, amountCents, currency }) =>
      payments.charge({ orderId, customerId, amountCents, currency: currencyOf(currency) }),
    refund: async ({ orderId }) => payments.refund({ orderId }),
  };
}
