import { rejectionOf } from "@qc/platform/testing";
import { describe, expect, it, vi } from "vitest";
import type { Product } from "../domain/product";
import { pageTokenAfter } from "../domain/product-page";
import type { DeductionRequest, Reservation } from "../domain/stock-deduction";
import type { Catalog } from "./catalog.port";
import { inventoryUseCases } from "./inventory-use-cases";
import type { ProductStore } from "./product-store.port";
import type { LedgerDeduction, StockLedger, StockLedgerTransaction } from "./stock-ledger.port";

const apple: Product = { sku: "apple", name: "Apple", priceCents: 120, currency: "EUR", stock: 10 };
const pear: Product = { sku: "pear", name: "Pear", priceCents: 80, currency: "EUR", stock: 1 };

function fakeStore(overrides: Partial<ProductStore> = {}): ProductStore {
  return {
    insert: async (p) => p,
    find: async () => undefined,
    findMany: async () => [],
    listAfter: async () => [],
    addStock: async () => ({ kind: "not_found" }),
    ...overrides,
  };
}

/**
 * A ledger whose single transaction is `tx`; `existing` is what claimOrder (and deductStock) finds,
 * `products` what they lock. Its deductStock goes ahead by the port's rule (every line exists and is
 * covered, one currency).
 */
function fakeLedger(existing: Reservation | undefined, products: Product[] = []) {
  const tx = {
    claimOrder: vi.fn(async () => existing),
    lockProducts: vi.fn(async () => products),
    release: vi.fn(async () => undefined),
  } satisfies StockLedgerTransaction;
  const deductStock = vi.fn(async (request: DeductionRequest): Promise<LedgerDeduction> => {
    if (existing !== undefined) return { kind: "existing", reservation: existing };
    const locked = products.filter((p) => request.lines.some((l) => l.sku === p.sku));
    const covered = request.lines.every((l) => locked.some((p) => p.sku === l.sku && p.stock >= l.quantity));
    return {
      kind: covered && new Set(locked.map((p) => p.currency)).size === 1 ? "deducted" : "refused",
      products: locked,
    };
  });
  const ledger: StockLedger = { transaction: (work) => work(tx), deductStock };
  return { ledger, tx, deductStock };
}

/** A catalog straight over the store, recording what each write reports as changed. */
function fakeCatalog(store: ProductStore) {
  return {
    find: (sku: string) => store.find(sku),
    findMany: (skus: readonly string[]) => store.findMany(skus),
    listAfter: (afterSku: string | undefined, limit: number) => store.listAfter(afterSku, limit),
    changed: vi.fn(async (_skus: readonly string[]) => undefined),
  } satisfies Catalog;
}

/** The inventory use cases over the given stores, as the app wires them. */
const inventoryOver = (store: ProductStore, ledger: StockLedger, catalog: Catalog = fakeCatalog(store)) =>
  inventoryUseCases(store, ledger, catalog);

const errorOf = rejectionOf;

describe("deductStock", () => {
  it("asks the ledger for the merged lines in sku order, and answers them priced as it locked them, with the total", async () => {
    const { ledger, deductStock } = fakeLedger(undefined, [apple, pear]);
    const result = await inventoryOver(fakeStore(), ledger).deductStock.execute("o-1", [
      { sku: "pear", quantity: 1 },
      { sku: "apple", quantity: 1 },
      { sku: "apple", quantity: 2 },
    ]);
    const lines = [
      { sku: "apple", quantity: 3, unitPriceCents: 120, currency: "EUR" },
      { sku: "pear", quantity: 1, unitPriceCents: 80, currency: "EUR" },
    ];
    expect(deductStock).toHaveBeenCalledWith({
      orderId: "o-1",
      lines: [
        { sku: "apple", quantity: 3 },
        { sku: "pear", quantity: 1 },
      ],
    });
    expect(result).toEqual({ lines, totalCents: 440, currency: "EUR" });
  });

  it("answers a repeat from the ledger's entry, with the prices captured then", async () => {
    const lines = [{ sku: "apple", quantity: 2, unitPriceCents: 99, currency: "EUR" }];
    const { ledger } = fakeLedger({ status: "reserved", lines });
    const result = await inventoryOver(fakeStore(), ledger).deductStock.execute("o-1", [{ sku: "apple", quantity: 2 }]);
    expect(result).toEqual({ lines, totalCents: 198, currency: "EUR" });
  });

  it("refuses an order that was already compensated", async () => {
    const { ledger } = fakeLedger({ status: "released", lines: [] });
    const err = await errorOf(
      inventoryOver(fakeStore(), ledger).deductStock.execute("o-1", [{ sku: "apple", quantity: 1 }]),
    );
    expect([err.kind, err.code]).toEqual(["refused", "ORDER_RELEASED"]);
  });

  it("says why the ledger refused: the short line", async () => {
    const { ledger } = fakeLedger(undefined, [apple, pear]);
    const err = await errorOf(
      inventoryOver(fakeStore(), ledger).deductStock.execute("o-1", [
        { sku: "apple", quantity: 1 },
        { sku: "pear", quantity: 2 },
      ]),
    );
    expect([err.kind, err.code, err.message]).toEqual(["refused", "OUT_OF_STOCK", "out of stock: pear"]);
  });

  it("fails, reporting no change, when the ledger and the plan disagree", async () => {
    const { ledger } = fakeLedger(undefined, [pear]);
    const lying: StockLedger = { ...ledger, deductStock: async () => ({ kind: "deducted", products: [pear] }) };
    const catalog = fakeCatalog(fakeStore());
    await expect(
      inventoryOver(fakeStore(), lying, catalog).deductStock.execute("o-1", [{ sku: "pear", quantity: 2 }]),
    ).rejects.toThrow(/against the plan/);
    expect(catalog.changed).not.toHaveBeenCalled();
  });

  it("rejects bad input before opening a transaction", async () => {
    const untouchable: StockLedger = {
      transaction: () => Promise.reject(new Error("no transaction may start for bad input")),
      deductStock: () => Promise.reject(new Error("the ledger may not be asked for bad input")),
    };
    const err = await errorOf(
      inventoryOver(fakeStore(), untouchable).deductStock.execute("o-1", [{ sku: "apple", quantity: -1 }]),
    );
    expect([err.kind, err.code]).toEqual(["invalid", "INVALID_QUANTITY"]);
  });
});

describe("addStock", () => {
  it("leaves a tombstone for an order that never deducted", async () => {
    const { ledger, tx } = fakeLedger(undefined);
    expect(await inventoryOver(fakeStore(), ledger).addStock.execute("o-1")).toEqual({ restored: false });
    expect(tx.claimOrder).toHaveBeenCalledWith("o-1", "released");
    expect(tx.release).not.toHaveBeenCalled();
  });

  it("gives back a reserved order's lines, locking their products first", async () => {
    const lines = [{ sku: "apple", quantity: 2, unitPriceCents: 99, currency: "EUR" }];
    const { ledger, tx } = fakeLedger({ status: "reserved", lines });
    expect(await inventoryOver(fakeStore(), ledger).addStock.execute("o-1")).toEqual({ restored: true });
    expect(tx.lockProducts).toHaveBeenCalledWith(["apple"]);
    expect(tx.release).toHaveBeenCalledWith("o-1");
  });

  it("does nothing the second time", async () => {
    const { ledger, tx } = fakeLedger({ status: "released", lines: [] });
    expect(await inventoryOver(fakeStore(), ledger).addStock.execute("o-1")).toEqual({ restored: false });
    expect(tx.release).not.toHaveBeenCalled();
  });
});

describe("catalog", () => {
  it("reports a taken sku as PRODUCT_EXISTS", async () => {
    const service = inventoryOver(fakeStore({ insert: async () => undefined }), fakeLedger(undefined).ledger);
    const err = await errorOf(service.createProduct.execute(apple));
    expect([err.kind, err.code]).toEqual(["conflict", "PRODUCT_EXISTS"]);
  });

  it("never stores an invalid product", async () => {
    const insert = vi.fn(async (p: Product) => p);
    const service = inventoryOver(fakeStore({ insert }), fakeLedger(undefined).ledger);
    const err = await errorOf(service.createProduct.execute({ ...apple, currency: "euro" }));
    expect(err.code).toBe("INVALID_CURRENCY");
    expect(insert).not.toHaveBeenCalled();
  });

  it("answers an unknown sku with PRODUCT_NOT_FOUND", async () => {
    const err = await errorOf(inventoryOver(fakeStore(), fakeLedger(undefined).ledger).getProduct.execute("nope"));
    expect([err.kind, err.code]).toEqual(["not_found", "PRODUCT_NOT_FOUND"]);
  });

  it("batch-gets in the order asked, leaving unknown skus out", async () => {
    const service = inventoryOver(fakeStore({ findMany: async () => [apple, pear] }), fakeLedger(undefined).ledger);
    expect(await service.batchGetProducts.execute(["pear", "kiwi", "apple", "pear"])).toEqual([pear, apple]);
  });

  it("leaves out what the catalog could not answer instead of failing", async () => {
    const catalog = { ...fakeCatalog(fakeStore()), findMany: async () => [undefined, apple] as unknown as Product[] };
    const service = inventoryOver(fakeStore(), fakeLedger(undefined).ledger, catalog);
    expect(await service.batchGetProducts.execute(["pear", "apple"])).toEqual([apple]);
  });

  it("asks for one row beyond the page to know whether another page exists", async () => {
    const listAfter = vi.fn(async () => [apple, pear]);
    const page = await inventoryOver(fakeStore({ listAfter }), fakeLedger(undefined).ledger).listProducts.execute({
      pageSize: 1,
    });
    expect(listAfter).toHaveBeenCalledWith(undefined, 2);
    expect(page).toEqual({ products: [apple], nextPageToken: pageTokenAfter("apple") });
  });

  it("maps restock outcomes to errors", async () => {
    const ledger = fakeLedger(undefined).ledger;
    const full = inventoryOver(fakeStore({ addStock: async () => ({ kind: "over_limit" }) }), ledger);
    expect((await errorOf(full.restockProduct.execute("apple", 5))).code).toBe("STOCK_LIMIT");
    const missing = inventoryOver(fakeStore(), ledger);
    expect((await errorOf(missing.restockProduct.execute("apple", 5))).code).toBe("PRODUCT_NOT_FOUND");
    const fine = inventoryOver(fakeStore({ addStock: async () => ({ kind: "restocked", product: apple }) }), ledger);
    expect(await fine.restockProduct.execute("apple", 5)).toEqual(apple);
  });
});

describe("catalog invalidation", () => {
  it("reports a created product after it was stored, and nothing for a taken sku", async () => {
    const store = fakeStore();
    const catalog = fakeCatalog(store);
    await inventoryOver(store, fakeLedger(undefined).ledger, catalog).createProduct.execute(apple);
    expect(catalog.changed).toHaveBeenCalledWith(["apple"]);
    const taken = fakeStore({ insert: async () => undefined });
    const untouched = fakeCatalog(taken);
    await errorOf(inventoryOver(taken, fakeLedger(undefined).ledger, untouched).createProduct.execute(apple));
    expect(untouched.changed).not.toHaveBeenCalled();
  });

  it("reports a restock, and nothing when it failed", async () => {
    const store = fakeStore({ addStock: async () => ({ kind: "restocked", product: apple }) });
    const catalog = fakeCatalog(store);
    await inventoryOver(store, fakeLedger(undefined).ledger, catalog).restockProduct.execute("apple", 5);
    expect(catalog.changed).toHaveBeenCalledWith(["apple"]);
    const missing = fakeCatalog(fakeStore());
    await errorOf(inventoryOver(fakeStore(), fakeLedger(undefined).ledger, missing).restockProduct.execute("apple", 5));
    expect(missing.changed).not.toHaveBeenCalled();
  });

  it("reports a deduction's skus only after its transaction committed", async () => {
    const { ledger } = fakeLedger(undefined, [apple, pear]);
    const committed = vi.fn();
    const committing: StockLedger = {
      ...ledger,
      deductStock: async (request) => ledger.deductStock(request).finally(committed),
    };
    const catalog = fakeCatalog(fakeStore());
    await inventoryOver(fakeStore(), committing, catalog).deductStock.execute("o-1", [
      { sku: "pear", quantity: 1 },
      { sku: "apple", quantity: 1 },
    ]);
    expect(catalog.changed).toHaveBeenCalledWith(["apple", "pear"]);
    expect(committed.mock.invocationCallOrder[0]).toBeLessThan(catalog.changed.mock.invocationCallOrder[0] ?? 0);
  });

  it("reports nothing for a replayed or refused deduction", async () => {
    const replayed = fakeCatalog(fakeStore());
    const lines = [{ sku: "apple", quantity: 2, unitPriceCents: 99, currency: "EUR" }];
    await inventoryOver(fakeStore(), fakeLedger({ status: "reserved", lines }).ledger, replayed).deductStock.execute(
      "o-1",
      [{ sku: "apple", quantity: 2 }],
    );
    const refused = fakeCatalog(fakeStore());
    await errorOf(
      inventoryOver(fakeStore(), fakeLedger(undefined, [pear]).ledger, refused).deductStock.execute("o-2", [
        { sku: "pear", quantity: 5 },
      ]),
    );
    expect(replayed.changed).not.toHaveBeenCalled();
    expect(refused.changed).not.toHaveBeenCalled();
  });

  it("reports the skus a compensation gave back, and nothing for a tombstone", async () => {
    const lines = [{ sku: "apple", quantity: 2, unitPriceCents: 99, currency: "EUR" }];
    const restored = fakeCatalog(fakeStore());
    await inventoryOver(fakeStore(), fakeLedger({ status: "reserved", lines }).ledger, restored).addStock.execute(
      "o-1",
    );
    expect(restored.changed).toHaveBeenCalledWith(["apple"]);
    const tombstone = fakeCatalog(fakeStore());
    await inventoryOver(fakeStore(), fakeLedger(undefined).ledger, tombstone).addStock.execute("o-2");
    expect(tombstone.changed).not.toHaveBeenCalled();
  });
});
