import { inventoryV1 } from "@qc/contracts";
import { implement } from "@qc/platform/grpc";
import type { Logger } from "@qc/platform/log";
import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import type { InventoryService } from "../../app/inventory.service";
import { invalidInput } from "../../domain/inventory.errors";
import type { Product } from "../../domain/product";
import type { Deduction } from "../../domain/stock-deduction";

const toProto = (p: Product): inventoryV1.Product => ({
  sku: p.sku,
  name: p.name,
  priceCents: p.priceCents,
  currency: p.currency,
  stock: p.stock,
});

const toDeductResponse = (d: Deduction): inventoryV1.DeductStockResponse => ({
  lines: d.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceCents: l.unitPriceCents, currency: l.currency })),
  totalCents: d.totalCents,
  currency: d.currency,
});

/** The InventoryService gRPC surface: decode the request, call the use case, encode the answer. */
export function inventoryGrpcService(
  inventory: InventoryService,
  logger: Logger,
): { definition: inventoryV1.InventoryServiceService; implementation: UntypedServiceImplementation } {
  const definition = inventoryV1.InventoryServiceService;
  const implementation = implement(
    definition,
    {
      createProduct: async ({ product }) => {
        // proto3 makes every message field optional; this one is required.
        if (product === undefined) throw invalidInput("PRODUCT_REQUIRED", "product is required");
        return { product: toProto(await inventory.createProduct(product)) };
      },
      getProduct: async ({ sku }) => ({ product: toProto(await inventory.getProduct(sku)) }),
      listProducts: async ({ pageSize, pageToken }) => {
        const page = await inventory.listProducts({ pageSize, pageToken });
        return { products: page.products.map(toProto), nextPageToken: page.nextPageToken };
      },
      batchGetProducts: async ({ skus }) => ({ products: (await inventory.batchGetProducts(skus)).map(toProto) }),
      restock: async ({ sku, quantity }) => ({ product: toProto(await inventory.restock(sku, quantity)) }),
      deductStock: async ({ orderId, items }) => toDeductResponse(await inventory.deductStock(orderId, items)),
      addStock: async ({ orderId }) => inventory.addStock(orderId),
    },
    logger,
  );
  return { definition, implementation };
}
