import pg from "pg";
import { describe, expect, it } from "vitest";
import { databaseKinds } from "@qc/platform/testing";
import { failureOf, failuresAmong, inventoryForSuite, product, stockOf } from "./inventory-harness";

// The same contract on a real Postgres server and on the embedded PGlite database.
describe.each(databaseKinds)("on %s", (kind) => {
  const inventory = inventoryForSuite({}, kind);

  const create = (sku: string, stock: number, priceCents = 100) =>
    inventory.call.createProduct({ product: product(sku, stock, priceCents) });

  describe("DeductStock", () => {
    it("takes the items off stock and answers the lines with their prices", async () => {
      await create("d-apple", 10, 120);
      await create("d-pear", 5, 80);
      const result = await inventory.call.deductStock({
        orderId: "d-order-1",
        items: [
          { sku: "d-pear", quantity: 1 },
          { sku: "d-apple", quantity: 2 },
          { sku: "d-pear", quantity: 1 },
        ],
      });
      expect(result).toEqual({
        lines: [
          { sku: "d-apple", quantity: 2, unitPriceCents: 120, currency: "EUR" },
          { sku: "d-pear", quantity: 2, unitPriceCents: 80, currency: "EUR" },
        ],
        totalCents: 400,
        currency: "EUR",
      });
      expect(await stockOf(inventory, "d-apple")).toBe(8);
      expect(await stockOf(inventory, "d-pear")).toBe(3);
    });

    it("lets exactly as many of 50 concurrent orders through as there are units", async () => {
      await create("hot-item", 10);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          inventory.call.deductStock({ orderId: `race-${i}`, items: [{ sku: "hot-item", quantity: 1 }] }),
        ),
      );
      const failures = await failuresAmong(outcomes);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(10);
      expect(failures).toHaveLength(40);
      for (const f of failures)
        expect(f).toEqual({ status: "FAILED_PRECONDITION", code: "OUT_OF_STOCK", message: "out of stock: hot-item" });
      expect(await stockOf(inventory, "hot-item")).toBe(0);
    });

    it("deducts nothing when one item is short", async () => {
      await create("m-plenty", 10);
      await create("m-short", 1);
      const failure = await failureOf(
        inventory.call.deductStock({
          orderId: "multi-1",
          items: [
            { sku: "m-plenty", quantity: 3 },
            { sku: "m-short", quantity: 2 },
          ],
        }),
      );
      expect(failure).toEqual({
        status: "FAILED_PRECONDITION",
        code: "OUT_OF_STOCK",
        message: "out of stock: m-short",
      });
      expect(await stockOf(inventory, "m-plenty")).toBe(10);
      expect(await stockOf(inventory, "m-short")).toBe(1);
    });

    it("answers an unknown sku with NOT_FOUND and deducts nothing", async () => {
      await create("known", 4);
      const failure = await failureOf(
        inventory.call.deductStock({
          orderId: "unknown-1",
          items: [
            { sku: "known", quantity: 1 },
            { sku: "ghost", quantity: 1 },
          ],
        }),
      );
      expect(failure).toMatchObject({ status: "NOT_FOUND", code: "PRODUCT_NOT_FOUND" });
      expect(await stockOf(inventory, "known")).toBe(4);
    });

    it("is idempotent by order id: a repeat answers the first result and deducts nothing more", async () => {
      await create("idem", 10, 250);
      const request = { orderId: "idem-1", items: [{ sku: "idem", quantity: 3 }] };
      const first = await inventory.call.deductStock(request);
      expect(await inventory.call.deductStock(request)).toEqual(first);
      expect(await stockOf(inventory, "idem")).toBe(7);
    });

    it("deducts once when 10 identical calls race", async () => {
      await create("idem-race", 100);
      const request = { orderId: "idem-race-1", items: [{ sku: "idem-race", quantity: 4 }] };
      const results = await Promise.all(Array.from({ length: 10 }, () => inventory.call.deductStock(request)));
      for (const r of results) expect(r).toEqual(results[0]);
      expect(await stockOf(inventory, "idem-race")).toBe(96);
    });

    it("refuses the same order id with different items", async () => {
      await create("mismatch", 10);
      await inventory.call.deductStock({ orderId: "mismatch-1", items: [{ sku: "mismatch", quantity: 1 }] });
      expect(
        await failureOf(
          inventory.call.deductStock({ orderId: "mismatch-1", items: [{ sku: "mismatch", quantity: 2 }] }),
        ),
      ).toMatchObject({ status: "ALREADY_EXISTS", code: "RESERVATION_MISMATCH" });
      expect(await stockOf(inventory, "mismatch")).toBe(9);
    });

    it("never deadlocks when orders lock the same skus in opposite line order", async () => {
      await create("lock-a", 1000);
      await create("lock-b", 1000);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          inventory.call.deductStock({
            orderId: `lock-${i}`,
            items:
              i % 2 === 0
                ? [
                    { sku: "lock-a", quantity: 1 },
                    { sku: "lock-b", quantity: 1 },
                  ]
                : [
                    { sku: "lock-b", quantity: 1 },
                    { sku: "lock-a", quantity: 1 },
                  ],
          }),
        ),
      );
      expect(results).toHaveLength(40);
      expect(await stockOf(inventory, "lock-a")).toBe(960);
      expect(await stockOf(inventory, "lock-b")).toBe(960);
    });

    it("rejects bad input with INVALID_ARGUMENT and the code in metadata, changing nothing", async () => {
      await create("guarded", 10);
      const tooMany = Array.from({ length: 51 }, () => ({ sku: "guarded", quantity: 1 }));
      const cases: [{ orderId: string; items: { sku: string; quantity: number }[] }, string][] = [
        [{ orderId: "bad-1", items: [{ sku: "guarded", quantity: -1 }] }, "INVALID_QUANTITY"],
        [{ orderId: "bad-2", items: [{ sku: "guarded", quantity: 0 }] }, "INVALID_QUANTITY"],
        [{ orderId: "bad-3", items: [{ sku: "", quantity: 1 }] }, "INVALID_SKU"],
        [{ orderId: "bad-4", items: tooMany }, "TOO_MANY_ITEMS"],
        [{ orderId: "bad-5", items: [] }, "NO_ITEMS"],
        [{ orderId: "", items: [{ sku: "guarded", quantity: 1 }] }, "INVALID_ORDER_ID"],
        [{ orderId: "x".repeat(65), items: [{ sku: "guarded", quantity: 1 }] }, "INVALID_ORDER_ID"],
        [{ orderId: "bad-\u0000", items: [{ sku: "guarded", quantity: 1 }] }, "INVALID_ORDER_ID"],
      ];
      for (const [request, code] of cases) {
        expect(await failureOf(inventory.call.deductStock(request))).toMatchObject({
          status: "INVALID_ARGUMENT",
          code,
        });
      }
      expect(await stockOf(inventory, "guarded")).toBe(10);
      // A rejected request leaves no ledger entry: the same order id still works with valid items.
      expect(
        (await inventory.call.deductStock({ orderId: "bad-1", items: [{ sku: "guarded", quantity: 1 }] })).totalCents,
      ).toBe(100);
    });

    it("takes one statement, so one round trip, on the database: a first deduction, a refusal and a repeat alike", async () => {
      await create("one-trip", 10);
      const statements = async (work: () => Promise<unknown>): Promise<number> => {
        const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
        const original = proto.query;
        let count = 0;
        proto.query = function (this: pg.Client, ...args: unknown[]) {
          const [query] = args;
          const text = typeof query === "string" ? query : ((query as { text?: unknown } | null)?.text ?? "");
          // The ledger's statements (and any transaction's), not the app's own periodic ones (health).
          if (typeof text === "string" && /reservation|product|deduct|begin|commit|rollback/i.test(text)) count++;
          return original.apply(this, args);
        };
        try {
          await work();
        } finally {
          proto.query = original;
        }
        return count;
      };
      // PGlite runs in process (no pg client to count with): there the calls only have to work.
      const counted = kind === "postgres" ? statements : async (work: () => Promise<unknown>) => (await work(), 1);
      expect(
        await counted(() =>
          inventory.call.deductStock({ orderId: "trip-1", items: [{ sku: "one-trip", quantity: 2 }] }),
        ),
      ).toBe(1);
      expect(
        await counted(() =>
          failureOf(inventory.call.deductStock({ orderId: "trip-2", items: [{ sku: "one-trip", quantity: 99 }] })),
        ),
      ).toBe(1);
      expect(
        await counted(() =>
          inventory.call.deductStock({ orderId: "trip-1", items: [{ sku: "one-trip", quantity: 2 }] }),
        ),
      ).toBe(1);
      expect(await stockOf(inventory, "one-trip")).toBe(8);
    });
  });
});
