import { inventoryV1 } from "@qc/contracts";
import { implement } from "@qc/platform/grpc";
import type { Logger } from "@qc/platform/log";
import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import type { AddStock } from "../../app/add-stock.use-case";
import type { BatchGetProducts } from "../../app/batch-get-products.use-case";
import type { CreateProduct } from "../../app/create-product.use-case";
import type { DeductStock } from "../../app/deduct-stock.use-case";
import type { GetProduct } from "../../app/get-product.use-case";
import type { ListProducts } from "../../app/list-products.use-case";
import type { RestockProduct } from "../../app/restock-product.use-case";
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
  lines: d.lines.map((l) => ({
    sku: l.sku,
    quantity: l.quantity,
    unitPriceCents: l.unitPriceCents,
    currency: l.currency,
  })),
  totalCents: d.totalCents,
  currency: d.currency,
});

/**
 * The inventory use cases, one per RPC. Each validates its input before touching storage and fails
 * with an AppError carrying a stable code. Reads go through the catalog (cached); every write that
 * changes a product tells the catalog once it has committed, and only then answers.
 */
export interface InventoryUseCases {
  readonly createProduct: Pick<CreateProduct, "execute">;
  readonly getProduct: Pick<GetProduct, "execute">;
  readonly listProducts: Pick<ListProducts, "execute">;
  readonly batchGetProducts: Pick<BatchGetProducts, "execute">;
  readonly restockProduct: Pick<RestockProduct, "execute">;
  readonly deductStock: Pick<DeductStock, "execute">;
  readonly addStock: Pick<AddStock, "execute">;
}

/** The InventoryService gRPC surface: decode the request, call the use case, encode the answer. */
export function inventoryGrpcService(
  inventory: InventoryUseCases,
  logger: Logger,
): { definition: inventoryV1.InventoryServiceService; implementation: UntypedServiceImplementation } {
  const definition = inventoryV1.InventoryServiceService;
  const implementation = implement(
    definition,
    {
      createProduct: async ({ product }) => {
        // proto3 makes every message field optional; this one is required.
        if (product === undefined) throw invalidInput("PRODUCT_REQUIRED", "product is required");
        return { product: toProto(await inventory.createProduct.execute(product)) };
      },
      getProduct: async ({ sku }) => ({ product: toProto(await inventory.getProduct.execute(sku)) }),
      listProducts: async ({ pageSize, pageToken }) => {
        const page = await inventory.listProducts.execute({ pageSize, pageToken });
        return { products: page.products.map(toProto), nextPageToken: page.nextPageToken };
      },
      batchGetProducts: async ({ skus }) => ({
        products: (await inventory.batchGetProducts.execute(skus)).map(toProto),
      }),
      restock: async ({ sku, quantity }) => ({
        product: toProto(await inventory.restockProduct.execute(sku, quantity)),
      }),
      deductStock: async ({ orderId, items }) => toDeductResponse(await inventory.deductStock.execute(orderId, items)),
      addStock: async ({ orderId }) => inventory.addStock.execute(orderId),
    },
    logger,
  );
  return { definition, implementation };
}
