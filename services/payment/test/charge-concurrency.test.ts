import { describe, expect, it } from "vitest";
import { forSuite } from "@qc/platform/testing/suite";
import { databaseKinds } from "@qc/platform/testing";
import { balanceOf, ledgerTotals, startPayment, uniqueId } from "./payment-harness";

describe.each(databaseKinds)("concurrent charges against one wallet on %s", (kind) => {
  const h = forSuite(() => startPayment(kind));

  it("lets exactly as many succeed as the balance covers and never goes below zero", async () => {
    const customerId = uniqueId("c");
    const amountCents = 700;
    await h.client.credit({ customerId, amountCents: 10 * amountCents, currency: "USD" });

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        h.client.charge({ orderId: uniqueId("o"), customerId, amountCents, currency: "USD" }),
      ),
    );

    const succeeded = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r) => r.status === "rejected");
    expect(succeeded).toHaveLength(10);
    for (const f of failed) expect(f.reason).toMatchObject({ code: "PAYMENT_DECLINED" });
    expect(await balanceOf(h, customerId)).toBe(0);

    const statuses = await h.db
      .selectFrom("charges")
      .select(["status", h.db.fn.countAll<number>().as("n")])
      .where("customer_id", "=", customerId)
      .groupBy("status")
      .orderBy("status")
      .execute();
    expect(statuses).toEqual([
      { status: "charged", n: 10 },
      { status: "declined", n: 40 },
    ]);
    for (const totals of (await ledgerTotals(h.db)).values()) expect(totals.minBalance).toBeGreaterThanOrEqual(0);
  });
});
