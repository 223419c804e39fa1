import { describe, expect, it } from "vitest";
import { forSuite } from "@qc/platform/testing/suite";
import { databaseKinds } from "@qc/platform/testing";
import { balanceOf, ledgerTotals, rejectionOf, startPayment, status, uniqueId } from "./payment-harness";

describe.each(databaseKinds)("Refund over gRPC on %s", (kind) => {
  const h = forSuite(() => startPayment(kind));

  async function chargedOrder(
    balanceCents: number,
    amountCents: number,
  ): Promise<{ customerId: string; orderId: string }> {
    const customerId = uniqueId("c");
    const orderId = uniqueId("o");
    await h.client.credit({ customerId, amountCents: balanceCents, currency: "USD" });
    await h.client.charge({ orderId, customerId, amountCents, currency: "USD" });
    return { customerId, orderId };
  }

  it("restores the balance once, however often it is repeated", async () => {
    const { customerId, orderId } = await chargedOrder(1_000, 400);
    expect(await h.client.refund({ orderId })).toEqual({ refunded: true });
    expect(await h.client.refund({ orderId })).toEqual({ refunded: false });
    expect(await balanceOf(h, customerId)).toBe(1_000);
  });

  it("restores the balance once when refunds race", async () => {
    const { customerId, orderId } = await chargedOrder(1_000, 400);
    const results = await Promise.all(Array.from({ length: 10 }, () => h.client.refund({ orderId })));
    expect(results.filter((r) => r.refunded)).toHaveLength(1);
    expect(await balanceOf(h, customerId)).toBe(1_000);
  });

  it("is a no-op without a charge, and the order can no longer be charged afterwards", async () => {
    const customerId = uniqueId("c");
    const orderId = uniqueId("o");
    await h.client.credit({ customerId, amountCents: 1_000, currency: "USD" });

    expect(await h.client.refund({ orderId })).toEqual({ refunded: false });
    expect(await h.client.refund({ orderId })).toEqual({ refunded: false });

    const err = await rejectionOf(h.client.charge({ orderId, customerId, amountCents: 400, currency: "USD" }));
    expect(err.grpcStatus).toBe(status.FAILED_PRECONDITION);
    expect(err.code).toBe("CHARGE_VOIDED");
    expect(await balanceOf(h, customerId)).toBe(1_000);
    const tombstone = await h.db
      .selectFrom("charges")
      .selectAll()
      .where("order_id", "=", orderId)
      .executeTakeFirstOrThrow();
    expect(tombstone).toMatchObject({ status: "voided", amount_cents: 0, customer_id: null, charge_id: null });
  });

  it("refuses to charge an order again once its charge was refunded", async () => {
    const { customerId, orderId } = await chargedOrder(1_000, 400);
    await h.client.refund({ orderId });
    const err = await rejectionOf(h.client.charge({ orderId, customerId, amountCents: 400, currency: "USD" }));
    expect(err.code).toBe("CHARGE_VOIDED");
    expect(await balanceOf(h, customerId)).toBe(1_000);
  });

  it("returns nothing for a declined order and keeps it declined", async () => {
    const customerId = uniqueId("c");
    const orderId = uniqueId("o");
    await h.client.credit({ customerId, amountCents: 100, currency: "USD" });
    await rejectionOf(h.client.charge({ orderId, customerId, amountCents: 400, currency: "USD" }));
    expect(await h.client.refund({ orderId })).toEqual({ refunded: false });
    expect((await rejectionOf(h.client.charge({ orderId, customerId, amountCents: 400, currency: "USD" }))).code).toBe(
      "PAYMENT_DECLINED",
    );
    expect(await balanceOf(h, customerId)).toBe(100);
  });

  it("leaves no money taken when a charge and its compensation race", async () => {
    const customerId = uniqueId("c");
    await h.client.credit({ customerId, amountCents: 100_000, currency: "USD" });
    const orderIds = Array.from({ length: 20 }, () => uniqueId("o"));
    await Promise.allSettled(
      orderIds.flatMap((orderId) => [
        h.client.charge({ orderId, customerId, amountCents: 1_000, currency: "USD" }),
        h.client.refund({ orderId }),
      ]),
    );
    // Whichever came first, a second compensation settles it: nothing stays charged.
    await Promise.all(orderIds.map((orderId) => h.client.refund({ orderId })));
    expect(await balanceOf(h, customerId)).toBe(100_000);
    for (const totals of (await ledgerTotals(h.db)).values())
      expect(totals.credits).toBe(totals.balances + totals.charged - totals.refunded);
  });
});
