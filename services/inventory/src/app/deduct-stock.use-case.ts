import { valueOrThrow } from "@qc/platform/errors";
import { planDeduction, replayDeduction } from "../domain/deduction-plan";
import { parseDeductionRequest, summarize, type Deduction, type StockLine } from "../domain/stock-deduction";
import type { Catalog } from "./catalog.port";
import type { StockLedger } from "./stock-ledger.port";

/**
 * Takes every item off stock for `orderId`, or nothing (OUT_OF_STOCK, PRODUCT_NOT_FOUND).
 * Idempotent by order id: a repeat answers the first result, with the prices captured then; a
 * repeat with other items is RESERVATION_MISMATCH; after AddStock for the order it is ORDER_RELEASED.
 */
export class DeductStock {
  constructor(
    private readonly ledger: Pick<StockLedger, "deductStock">,
    private readonly catalog: Pick<Catalog, "changed">,
  ) {}

  async execute(orderId: string, items: readonly StockLine[]): Promise<Deduction> {
    const request = valueOrThrow(parseDeductionRequest(orderId, items));
    // Claim, lock, check and deduct in one atomic step of the ledger (one round trip); the plan and
    // the refusal are decided here, from the products as the ledger locked them.
    const outcome = await this.ledger.deductStock(request);
    // A replay changed nothing, so it has nothing to invalidate.
    if (outcome.kind === "existing") return valueOrThrow(replayDeduction(request, outcome.reservation));
    const plan = planDeduction(request.lines, outcome.products);
    if (plan.ok !== (outcome.kind === "deducted")) {
      throw new Error(
        `the ledger ${outcome.kind === "deducted" ? "deducted" : "refused"} order ${request.orderId} against the plan`,
      );
    }
    const deduction = summarize(valueOrThrow(plan));
    await this.catalog.changed(deduction.lines.map((l) => l.sku));
    return deduction;
  }
}
