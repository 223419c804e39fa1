import { AddStock } from "./add-stock.use-case";
import { BatchGetProducts } from "./batch-get-products.use-case";
import type { Catalog } from "./catalog.port";
import { CreateProduct } from "./create-product.use-case";
import { DeductStock } from "./deduct-stock.use-case";
import { GetProduct } from "./get-product.use-case";
import { ListProducts } from "./list-products.use-case";
import type { ProductStore } from "./product-store.port";
import { RestockProduct } from "./restock-product.use-case";
import type { StockLedger } from "./stock-ledger.port";

/** Every inventory use case over its stores: what the app serves and what the unit tests drive. */
export const inventoryUseCases = (products: ProductStore, ledger: StockLedger, catalog: Catalog) => ({
  createProduct: new CreateProduct(products, catalog),
  getProduct: new GetProduct(catalog),
  listProducts: new ListProducts(catalog),
  batchGetProducts: new BatchGetProducts(catalog),
  restockProduct: new RestockProduct(products, catalog),
  deductStock: new DeductStock(ledger, catalog),
  addStock: new AddStock(ledger, catalog),
});
