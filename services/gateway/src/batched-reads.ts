import type { inventoryV1, orderV1 } from "@qc/contracts";
import { notFound } from "@qc/platform/errors";
import { batchedRead } from "./read-batching";

/** Most skus inventory's BatchGetProducts takes in one call. */
const MAX_BATCH_SKUS = 100;
/** Most ids the order service's BatchGetOrders takes in one call. */
const MAX_BATCH_ORDER_IDS = 100;
/** An order id as the order service stores it: a lowercase UUID (callers may type it in any case). */
const CANONICAL_ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type BatchGetProducts = (request: inventoryV1.BatchGetProductsRequest) => Promise<inventoryV1.BatchGetProductsResponse>;
type BatchGetOrders = (request: orderV1.BatchGetOrdersRequest) => Promise<orderV1.BatchGetOrdersResponse>;

/** GetProduct answered from batch calls: an unknown sku is PRODUCT_NOT_FOUND, as GetProduct says it. */
export function batchedGetProduct(batchGetProducts: BatchGetProducts) {
  const product = batchedRead<string, inventoryV1.Product>({
    maxBatch: MAX_BATCH_SKUS,
    load: async (skus) => {
      const { products } = await batchGetProducts({ skus: [...skus] });
      return new Map(products.map((p) => [p.sku, p]));
    },
    missing: (sku) => notFound("PRODUCT_NOT_FOUND", `no product with sku ${sku}`),
  });
  return async ({ sku }: inventoryV1.GetProductRequest): Promise<inventoryV1.GetProductResponse> => ({
    product: await product(sku),
  });
}

/**
 * GetOrder answered from batch calls: an unknown id, or one that is no order id at all, is
 * ORDER_NOT_FOUND, as GetOrder says it. A malformed id is answered here and never sent: the batch
 * call refuses a malformed id, and with it every other read of its batch.
 */
export function batchedGetOrder(batchGetOrders: BatchGetOrders) {
  const missing = (id: string) => notFound("ORDER_NOT_FOUND", `no order ${id}`);
  const order = batchedRead<string, orderV1.Order>({
    maxBatch: MAX_BATCH_ORDER_IDS,
    load: async (ids) => {
      const { orders } = await batchGetOrders({ ids: [...ids] });
      return new Map(orders.map((o) => [o.id, o]));
    },
    missing,
  });
  return async ({ id }: orderV1.GetOrderRequest): Promise<orderV1.GetOrderResponse> => {
    const canonical = id.toLowerCase();
    if (!CANONICAL_ORDER_ID.test(canonical)) throw missing(id);
    return { order: await order(canonical) };
  };
}
