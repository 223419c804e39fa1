import { describe, expect, it } from "vitest";
import { forSuite } from "@qc/platform/testing/suite";
import { databaseKinds, mulberry32 } from "@qc/platform/testing";
import { ledgerTotals, startPayment, uniqueId } from "./payment-harness";

/** A small seeded PRNG (mulberry32), so a failing mix can be replayed from its seed. */
const random = mulberry32;

describe.each(databaseKinds)("ledger audit on %s", (kind) => {
  const h = forSuite(() => startPayment(kind));

  it("proves credits = balances + charged - refunded in each currency after a random concurrent mix", async () => {
    const seed = Date.now();
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const customers = Array.from({ length: 5 }, () => uniqueId("c"));
    const currencies = ["USD", "EUR", "JPY"] as const;
    const orders = Array.from({ length: 40 }, () => ({
      orderId: uniqueId("o"),
      customerId: pick(customers),
      amountCents: 1 + Math.floor(next() * 500),
      currency: pick(currencies),
    }));

    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const roll = next();
      const order = pick(orders);
      if (roll < 0.25)
        calls.push(
          h.client.credit({
            customerId: pick(customers),
            amountCents: 1 + Math.floor(next() * 1_000),
            currency: pick(currencies),
          }),
        );
      else if (roll < 0.75) calls.push(h.client.charge(order));
      else calls.push(h.client.refund({ orderId: order.orderId }));
    }
    const results = await Promise.allSettled(calls);
    // Declines, voids and mismatches are expected; anything else is a bug.
    for (const r of results) {
      if (r.status === "rejected") expect(r.reason, `seed ${seed}`).toMatchObject({ kind: "refused" });
    }

    // Money never crosses currencies, so each currency's ledger balances on its own.
    for (const [currency, totals] of await ledgerTotals(h.db)) {
      const where = `${currency}, seed ${seed}`;
      expect(totals.credits, where).toBe(totals.balances + totals.charged - totals.refunded);
      expect(totals.held, where).toBe(totals.charged - totals.refunded);
      expect(totals.minBalance, where).toBeGreaterThanOrEqual(0);
    }
  });
});
