import { describe, expect, it } from "vitest";
import { forSuite } from "@qc/platform/testing/suite";
import { databaseKinds } from "@qc/platform/testing";
import { balanceOf, rejectionOf, startPayment, status, uniqueId } from "./payment-harness";

/** A wallet holds one balance per currency, and money never moves between them. */
describe.each(databaseKinds)("balances per currency over gRPC on %s", (kind) => {
  const h = forSuite(() => startPayment(kind));

  async function customerWith(balances: Readonly<Record<string, number>>): Promise<string> {
    const customerId = uniqueId("c");
    for (const [currency, amountCents] of Object.entries(balances))
      await h.client.credit({ customerId, amountCents, currency });
    return customerId;
  }

  const entriesOf = (orderId: string) =>
    h.db
      .selectFrom("wallet_entries")
      .select(["currency", "kind", "amount_cents"])
      .where("order_id", "=", orderId)
      .execute();

  it("keeps a balance per currency: a credit adds to its own currency only", async () => {
    const customerId = uniqueId("c");
    expect((await h.client.credit({ customerId, amountCents: 500, currency: "EUR" })).wallet).toEqual({
      customerId,
      currency: "EUR",
      balanceCents: 500,
    });
    expect((await h.client.credit({ customerId, amountCents: 70, currency: "USD" })).wallet).toEqual({
      customerId,
      currency: "USD",
      balanceCents: 70,
    });
    expect((await h.client.credit({ customerId, amountCents: 250, currency: "EUR" })).wallet).toEqual({
      customerId,
      currency: "EUR",
      balanceCents: 750,
    });
    expect(await balanceOf(h, customerId, "EUR")).toBe(750);
    expect(await balanceOf(h, customerId, "USD")).toBe(70);
    const err = await rejectionOf(h.client.getWallet({ customerId, currency: "JPY" }));
    expect([err.grpcStatus, err.code]).toEqual([status.NOT_FOUND, "WALLET_NOT_FOUND"]);
  });

  it("declines a USD charge to a customer holding only EUR, as an empty wallet, taking nothing", async () => {
    const customerId = await customerWith({ EUR: 10_000 });
    const orderId = uniqueId("o");
    const err = await rejectionOf(h.client.charge({ orderId, customerId, amountCents: 300, currency: "USD" }));
    expect([err.grpcStatus, err.code]).toEqual([status.FAILED_PRECONDITION, "PAYMENT_DECLINED"]);
    expect(await balanceOf(h, customerId, "EUR")).toBe(10_000);
    expect(await entriesOf(orderId)).toEqual([]);
    // The first outcome stays: EUR credit later changes nothing for this order.
    expect((await rejectionOf(h.client.charge({ orderId, customerId, amountCents: 300, currency: "USD" }))).code).toBe(
      "PAYMENT_DECLINED",
    );
  });

  it("charges a USD order from the USD balance and leaves the EUR one untouched", async () => {
    const customerId = await customerWith({ EUR: 10_000, USD: 1_000 });
    const orderId = uniqueId("o");
    const receipt = await h.client.charge({ orderId, customerId, amountCents: 300, currency: "USD" });
    expect(receipt).toMatchObject({ amountCents: 300, currency: "USD" });
    expect(await balanceOf(h, customerId, "USD")).toBe(700);
    expect(await balanceOf(h, customerId, "EUR")).toBe(10_000);
    expect(await entriesOf(orderId)).toEqual([{ currency: "USD", kind: "charge", amount_cents: 300 }]);
    expect(await h.client.charge({ orderId, customerId, amountCents: 300, currency: "USD" })).toEqual(receipt);
    expect(await balanceOf(h, customerId, "USD")).toBe(700);
  });

  it("declines a charge the order's currency cannot cover, however much another currency holds", async () => {
    const customerId = await customerWith({ EUR: 10_000, USD: 100 });
    const err = await rejectionOf(
      h.client.charge({ orderId: uniqueId("o"), customerId, amountCents: 101, currency: "USD" }),
    );
    expect(err.code).toBe("PAYMENT_DECLINED");
    expect([await balanceOf(h, customerId, "USD"), await balanceOf(h, customerId, "EUR")]).toEqual([100, 10_000]);
  });

  it("refunds to the currency the charge was taken from", async () => {
    const customerId = await customerWith({ EUR: 1_000, USD: 1_000 });
    const orderId = uniqueId("o");
    await h.client.charge({ orderId, customerId, amountCents: 400, currency: "EUR" });
    expect([await balanceOf(h, customerId, "EUR"), await balanceOf(h, customerId, "USD")]).toEqual([600, 1_000]);
    expect(await h.client.refund({ orderId })).toEqual({ refunded: true });
    expect([await balanceOf(h, customerId, "EUR"), await balanceOf(h, customerId, "USD")]).toEqual([1_000, 1_000]);
    expect(await entriesOf(orderId)).toEqual([
      { currency: "EUR", kind: "charge", amount_cents: 400 },
      { currency: "EUR", kind: "refund", amount_cents: 400 },
    ]);
  });

  it("reads an empty currency on the wire as USD, so callers older than currencies keep working", async () => {
    const customerId = uniqueId("c");
    expect((await h.client.credit({ customerId, amountCents: 500, currency: "" })).wallet).toEqual({
      customerId,
      currency: "USD",
      balanceCents: 500,
    });
    const orderId = uniqueId("o");
    expect(await h.client.charge({ orderId, customerId, amountCents: 200, currency: "" })).toMatchObject({
      amountCents: 200,
      currency: "USD",
    });
    expect((await h.client.getWallet({ customerId, currency: "" })).wallet).toEqual({
      customerId,
      currency: "USD",
      balanceCents: 300,
    });
    // The same order named with its currency is the same request.
    expect(await h.client.charge({ orderId, customerId, amountCents: 200, currency: "USD" })).toMatchObject({
      amountCents: 200,
    });
  });
});
