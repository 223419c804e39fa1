import type { inventoryV1 } from "@qc/contracts";
import type { ProductView } from "./product.schema";

export const toProductView = ({ sku, name, priceCents, currency, stock }: inventoryV1.Product): ProductView => ({
  sku,
  name,
  priceCents,
  currency,
  stock,
});
