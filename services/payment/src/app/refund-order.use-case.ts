import { valueOrThrow } from "@qc/platform/errors";
import type { RefundRequest, RefundResult } from "../domain/charge";
import { parseRefundRequest } from "../domain/payment-input.validation";
import type { ChargeLedger } from "./charge-ledger.port";

/** Gives an order's charge back. Idempotent by order id; a no-op (that still blocks later charges) when the order was never charged. */
export class RefundOrder {
  constructor(private readonly ledger: Pick<ChargeLedger, "refund">) {}

  async execute(request: RefundRequest): Promise<RefundResult> {
    const { orderId } = valueOrThrow(parseRefundRequest(request));
    return { refunded: await this.ledger.refund(orderId) };
  }
}
