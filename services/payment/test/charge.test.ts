import { describe, expect, it } from "vitest";
import { forSuite } from "@qc/platform/testing/suite";
import { databaseKinds } from "@qc/platform/testing";
import { balanceOf, rejectionOf, startPayment, status, uniqueId } from "./payment-harness";

describe.each(databaseKinds)("Charge over gRPC on %s", (kind) => {
  const h = forSuite(() => startPayment(kind));

  async function walletWith(balanceCents: number): Promise<string> {
    const customerId = uniqueId("c");
    await h.client.credit({ customerId, amountCents: balanceCents, currency: "USD" });
    return customerId;
  }

  it("takes the amount and answers a charge id", async () => {
    const customerId = await walletWith(1_000);
    const receipt = await h.client.charge({ orderId: uniqueId("o"), customerId, amountCents: 300, currency: "USD" });
    expect(receipt.amountCents).toBe(300);
    expect(receipt.chargeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await balanceOf(h, customerId)).toBe(700);
  });

  it("answers a repeat with the same charge id and charges once", async () => {
    const customerId = await walletWith(1_000);
    const request = { orderId: uniqueId("o"), customerId, amountCents: 300, currency: "USD" };
    const first = await h.client.charge(request);
    const second = await h.client.charge(request);
    expect(second).toEqual(first);
    expect(await balanceOf(h, customerId)).toBe(700);
  });

  it("charges once when 10 identical charges arrive at the same time", async () => {
    const customerId = await walletWith(1_000);
    const request = { orderId: uniqueId("o"), customerId, amountCents: 300, currency: "USD" };
    const receipts = await Promise.all(Array.from({ length: 10 }, () => h.client.charge(request)));
    expect(new Set(receipts.map((r) => r.chargeId)).size).toBe(1);
    expect(await balanceOf(h, customerId)).toBe(700);
    const entries = await h.db
      .selectFrom("wallet_entries")
      .select("amount_cents")
      .where("order_id", "=", request.orderId)
      .execute();
    expect(entries).toEqual([{ amount_cents: 300 }]);
  });

  it("declines with FAILED_PRECONDITION PAYMENT_DECLINED when the balance is short, taking nothing", async () => {
    const customerId = await walletWith(100);
    const err = await rejectionOf(
      h.client.charge({ orderId: uniqueId("o"), customerId, amountCents: 101, currency: "USD" }),
    );
    expect(err.grpcStatus).toBe(status.FAILED_PRECONDITION);
    expect(err.code).toBe("PAYMENT_DECLINED");
    expect(await balanceOf(h, customerId)).toBe(100);
  });

  it("declines a customer without a wallet", async () => {
    const err = await rejectionOf(
      h.client.charge({ orderId: uniqueId("o"), customerId: uniqueId("c"), amountCents: 1, currency: "USD" }),
    );
    expect(err.code).toBe("PAYMENT_DECLINED");
  });

  it("keeps a declined order declined after the customer is credited", async () => {
    const customerId = await walletWith(100);
    const request = { orderId: uniqueId("o"), customerId, amountCents: 500, currency: "USD" };
    await rejectionOf(h.client.charge(request));
    await h.client.credit({ customerId, amountCents: 1_000, currency: "USD" });
    const err = await rejectionOf(h.client.charge(request));
    expect(err.code).toBe("PAYMENT_DECLINED");
    expect(await balanceOf(h, customerId)).toBe(1_100);
  });

  it("answers ALREADY_EXISTS CHARGE_MISMATCH when an order id comes back with another customer, amount or currency", async () => {
    const customerId = await walletWith(1_000);
    const other = await walletWith(1_000);
    const orderId = uniqueId("o");
    await h.client.charge({ orderId, customerId, amountCents: 300, currency: "USD" });
    for (const request of [
      { orderId, customerId, amountCents: 301, currency: "USD" },
      { orderId, customerId: other, amountCents: 300, currency: "USD" },
      { orderId, customerId, amountCents: 300, currency: "EUR" },
    ]) {
      const err = await rejectionOf(h.client.charge(request));
      expect(err.grpcStatus).toBe(status.ALREADY_EXISTS);
      expect(err.code).toBe("CHARGE_MISMATCH");
    }
    expect(await balanceOf(h, customerId)).toBe(700);
    expect(await balanceOf(h, other)).toBe(1_000);
  });

  it("treats a repeat of a declined order with another amount as a mismatch, not a new attempt", async () => {
    const customerId = await walletWith(100);
    const orderId = uniqueId("o");
    await rejectionOf(h.client.charge({ orderId, customerId, amountCents: 500, currency: "USD" }));
    const err = await rejectionOf(h.client.charge({ orderId, customerId, amountCents: 50, currency: "USD" }));
    expect(err.code).toBe("CHARGE_MISMATCH");
    expect(await balanceOf(h, customerId)).toBe(100);
  });
});
