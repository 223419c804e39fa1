import type { paymentV1 } from "@qc/contracts";
import type { UnaryHandlers } from "@qc/platform";
import type { PaymentService } from "../../app/payment.service";

/** Decode proto → use case → encode proto. Errors are mapped to statuses by `implement()`. */
export function paymentHandlers(payments: PaymentService): UnaryHandlers<typeof paymentV1.PaymentServiceService> {
  return {
    credit: async ({ customerId, amountCents }) => ({ wallet: await payments.credit({ customerId, amountCents }) }),
    getWallet: async ({ customerId }) => ({ wallet: await payments.getWallet({ customerId }) }),
    charge: async ({ orderId, customerId, amountCents }) => payments.charge({ orderId, customerId, amountCents }),
    refund: async ({ orderId }) => payments.refund({ orderId }),
  };
}
