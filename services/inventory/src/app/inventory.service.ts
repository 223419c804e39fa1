import { valueOrThrow } from "@qc/platform/errors";
import { planDeduction, replayDeduction } from "../domain/deduction-plan";
import { productExists, productNotFound, stockLimit } from "../domain/inventory.errors";
import { MAX_STOCK, parseNewProduct, parseRestock, parseSku, parseSkuList, type Product } from "../domain/product";
import { parsePageRequest, toPage, type ProductPage } from "../domain/product-page";
import { parseDeductionRequest, parseOrderId, summarize, type Deduction, type StockLine } from "../domain/stock-deduction";
import type { Catalog } from "./catalog.port";
import type { ProductStore } from "./product-store.port";
import type { StockLedger } from "./stock-ledger.port";

export interface ListProductsRequest {
  /** 0 for the default (20); above 100 means 100. */
  readonly pageSize?: number;
  /** Empty or absent for the first page. */
  readonly pageToken?: string;
}

/**
 * The inventory use cases, callable in-process or through the gRPC adapter. Every method validates
 * its input before touching storage, and fails with an AppError carrying a stable code. Reads go
 * through the catalog (cached); every write that changes a product tells the catalog once it has
 * committed, and only then answers.
 */
export class InventoryService {
  constructor(
    private readonly products: ProductStore,
    private readonly ledger: StockLedger,
    private readonly catalog: Catalog,
  ) {}

  async createProduct(input: Product): Promise<Product> {
    const product = valueOrThrow(parseNewProduct(input));
    const created = await this.products.insert(product);
    if (created === undefined) throw productExists(product.sku);
    await this.catalog.changed([created.sku]);
    return created;
  }

  async getProduct(sku: string): Promise<Product> {
    const found = await this.catalog.find(valueOrThrow(parseSku(sku)));
    if (found === undefined) throw productNotFound([sku]);
    return found;
  }

  /** The products among `skus` that exist, in the order asked (each once); unknown skus are left out. */
  async batchGetProducts(skus: readonly string[]): Promise<Product[]> {
    const wanted = valueOrThrow(parseSkuList(skus));
    if (wanted.length === 0) return [];
    // Only what the catalog answered counts: a hole in its answer is one more unknown sku, not an error.
    const found: (Product | null | undefined)[] = await this.catalog.findMany(wanted);
    const bySku = new Map(found.flatMap((p) => (p ? [[p.sku, p] as const] : [])));
    return wanted.flatMap((sku) => bySku.get(sku) ?? []);
  }

  /** Products in sku order, one page at a time; pass the returned token back for the next page. */
  async listProducts(request: ListProductsRequest = {}): Promise<ProductPage> {
    const page = valueOrThrow(parsePageRequest(request.pageSize ?? 0, request.pageToken ?? ""));
    return toPage(await this.catalog.listAfter(page.afterSku, page.limit + 1), page.limit);
  }

  async restock(sku: string, quantity: number): Promise<Product> {
    const restock = valueOrThrow(parseRestock(sku, quantity));
    const outcome = await this.products.addStock(restock.sku, restock.quantity, MAX_STOCK);
    if (outcome.kind === "not_found") throw productNotFound([restock.sku]);
    if (outcome.kind === "over_limit") throw stockLimit(restock.sku, MAX_STOCK);
    await this.catalog.changed([restock.sku]);
    return outcome.product;
  }

  /**
   * Takes every item off stock for `orderId`, or nothing (OUT_OF_STOCK, PRODUCT_NOT_FOUND).
   * Idempotent by order id: a repeat answers the first result, with the prices captured then; a
   * repeat with other items is RESERVATION_MISMATCH; after AddStock for the order it is ORDER_RELEASED.
   */
  async deductStock(orderId: string, items: readonly StockLine[]): Promise<Deduction> {
    const request = valueOrThrow(parseDeductionRequest(orderId, items));
    // Claim, lock, check and deduct in one atomic step of the ledger (one round trip); the plan and
    // the refusal are decided here, from the products as the ledger locked them.
    const outcome = await this.ledger.deductStock(request);
    // A replay changed nothing, so it has nothing to invalidate.
    if (outcome.kind === "existing") return valueOrThrow(replayDeduction(request, outcome.reservation));
    const plan = planDeduction(request.lines, outcome.products);
    if (plan.ok !== (outcome.kind === "deducted")) {
      throw new Error(`the ledger ${outcome.kind === "deducted" ? "deducted" : "refused"} order ${request.orderId} against the plan`);
    }
    const deduction = summarize(valueOrThrow(plan));
    await this.catalog.changed(deduction.lines.map((l) => l.sku));
    return deduction;
  }

  /**
   * The compensation of deductStock: gives back exactly what `orderId` deducted, once. For an order
   * that never deducted it records a tombstone instead, so a DeductStock arriving later (a retry
   * still in flight) is refused rather than taking stock that nobody would give back.
   */
  async addStock(orderId: string): Promise<{ restored: boolean }> {
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
