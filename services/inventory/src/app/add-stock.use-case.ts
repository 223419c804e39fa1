import { valueOrThrow } from "@qc/platform/errors";
import { parseOrderId } from "../domain/stock-deduction";
import type { Catalog } from "./catalog.port";
import type { StockLedger } from "./stock-ledger.port";

/**
 * The compensation of DeductStock: gives back exactly what `orderId` deducted, once. For an order
 * that never deducted it records a tombstone instead, so a DeductStock arriving later (a retry
 * still in flight) is refused rather than taking stock that nobody would give back.
 */
export class AddStock {
  constructor(
    private readonly ledger: Pick<StockLedger, "transaction">,
    private readonly catalog: Pick<Catalog, "changed">,
  ) {}

  async execute(orderId: string): Promise<{ restored: boolean }> {
    const id = valueOrThrow(parseOrderId(orderId));
    const restored = await this.ledger.transaction(async (tx) => {
      const existing = await tx.claimOrder(id, "released");
      if (existing === undefined || existing.status === "released") return undefined;
      const skus = existing.lines.map((l) => l.sku);
      await tx.lockProducts(skus);
      await tx.release(id);
      return skus;
    });
    if (restored === undefined) return { restored: false };
    await this.catalog.changed(restored);
    return { restored: true };
  }
}
