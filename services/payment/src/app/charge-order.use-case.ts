import { valueOrThrow } from "@qc/platform/errors";
import type { ChargeReceipt, ChargeRequest } from "../domain/charge";
import { chargeOutcome } from "../domain/charge-outcome";
import { chargeMismatch, chargeVoided, paymentDeclined } from "../domain/payment.errors";
import { parseChargeRequest } from "../domain/payment-input.validation";
import type { ChargeLedger } from "./charge-ledger.port";

/** Charges an order's total. Idempotent by order id: a repeat gets the first outcome and never moves money again. */
export class ChargeOrder {
  constructor(private readonly ledger: Pick<ChargeLedger, "chargeOnce">) {}

  async execute(request: ChargeRequest): Promise<ChargeReceipt> {
    valueOrThrow(parseChargeRequest(request));
    const outcome = chargeOutcome(await this.ledger.chargeOnce(request), request);
    switch (outcome.kind) {
      case "charged":
        return outcome.receipt;
      case "declined":
        throw paymentDeclined(request.orderId);
      case "mismatch":
        throw chargeMismatch(request.orderId);
      case "voided":
        throw chargeVoided(request.orderId);
    }
  }
}
