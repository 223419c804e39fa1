import { describe, expect, it } from "vitest";
import { databaseKinds } from "@qc/platform/testing";
import { failureOf, failuresAmong, inventoryForSuite, product, stockOf } from "./inventory-harness";

// The same contract on a real Postgres server and on the embedded PGlite database.
describe.each(databaseKinds)("on %s", (kind) => {
  const inventory = inventoryForSuite({}, kind);

  const create = (sku: string, stock: number) => inventory.call.createProduct({ product: product(sku, stock) });

  describe("AddStock (the compensation)", () => {
    it("gives back exactly what the order deducted, once", async () => {
      await create("c-a", 10);
      await create("c-b", 10);
      await inventory.call.deductStock({
        orderId: "comp-1",
        items: [
          { sku: "c-a", quantity: 3 },
          { sku: "c-b", quantity: 1 },
        ],
      });
      expect(await inventory.call.addStock({ orderId: "comp-1" })).toEqual({ restored: true });
      expect(await inventory.call.addStock({ orderId: "comp-1" })).toEqual({ restored: false });
      expect(await stockOf(inventory, "c-a")).toBe(10);
      expect(await stockOf(inventory, "c-b")).toBe(10);
    });

    it("restores once when 10 identical compensations race", async () => {
      await create("c-race", 10);
      await inventory.call.deductStock({ orderId: "comp-race", items: [{ sku: "c-race", quantity: 5 }] });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => inventory.call.addStock({ orderId: "comp-race" })),
      );
      expect(results.filter((r) => r.restored)).toHaveLength(1);
      expect(await stockOf(inventory, "c-race")).toBe(10);
    });

    it("is a no-op for an order that deducted nothing, and refuses that order's late DeductStock", async () => {
      await create("c-late", 10);
      expect(await inventory.call.addStock({ orderId: "never-deducted" })).toEqual({ restored: false });
      expect(
        await failureOf(
          inventory.call.deductStock({ orderId: "never-deducted", items: [{ sku: "c-late", quantity: 2 }] }),
        ),
      ).toMatchObject({ status: "FAILED_PRECONDITION", code: "ORDER_RELEASED" });
      expect(await stockOf(inventory, "c-late")).toBe(10);
    });

    it("refuses a DeductStock repeated after its compensation", async () => {
      await create("c-after", 10);
      const request = { orderId: "comp-after", items: [{ sku: "c-after", quantity: 4 }] };
      await inventory.call.deductStock(request);
      await inventory.call.addStock({ orderId: "comp-after" });
      expect(await failureOf(inventory.call.deductStock(request))).toMatchObject({ code: "ORDER_RELEASED" });
      expect(await stockOf(inventory, "c-after")).toBe(10);
    });

    it("is a no-op after a refused deduction", async () => {
      await create("c-short", 1);
      await failureOf(inventory.call.deductStock({ orderId: "comp-short", items: [{ sku: "c-short", quantity: 2 }] }));
      expect(await inventory.call.addStock({ orderId: "comp-short" })).toEqual({ restored: false });
      expect(await stockOf(inventory, "c-short")).toBe(1);
    });

    it("never deadlocks or miscounts with deductions and compensations interleaved", async () => {
      await create("mix-a", 500);
      await create("mix-b", 500);
      const orders = Array.from({ length: 30 }, (_, i) => `mix-${i}`);
      const items = (i: number) =>
        i % 2 === 0
          ? [
              { sku: "mix-a", quantity: 2 },
              { sku: "mix-b", quantity: 1 },
            ]
          : [
              { sku: "mix-b", quantity: 2 },
              { sku: "mix-a", quantity: 1 },
            ];
      // Each order deducts, and every third one is compensated while the others still run; a
      // compensation may land before its deduction, in which case that deduction must be refused.
      const outcomes = await Promise.allSettled(
        orders.flatMap((orderId, i) => [
          inventory.call.deductStock({ orderId, items: items(i) }),
          ...(i % 3 === 0 ? [inventory.call.addStock({ orderId })] : []),
        ]),
      );
      const failures = await failuresAmong(outcomes);
      expect(failures.filter((f) => f.code !== "ORDER_RELEASED")).toEqual([]);
      // Orders not compensated keep their stock; compensated ones end with none taken either way.
      const perOrderA = (i: number) => (i % 2 === 0 ? 2 : 1);
      const takenA = orders.reduce((sum, _, i) => sum + (i % 3 !== 0 ? perOrderA(i) : 0), 0);
      const takenB = orders.reduce((sum, _, i) => sum + (i % 3 !== 0 ? 3 - perOrderA(i) : 0), 0);
      expect(await stockOf(inventory, "mix-a")).toBe(500 - takenA);
      expect(await stockOf(inventory, "mix-b")).toBe(500 - takenB);
    });
  });
});
