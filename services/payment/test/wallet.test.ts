import { describe, expect, it } from "vitest";
import { forSuite } from "@qc/platform/testing/suite";
import { databaseKinds } from "@qc/platform/testing";
import { balanceOf, rejectionOf, startPayment, status, uniqueId } from "./payment-harness";

describe.each(databaseKinds)("wallets over gRPC on %s", (kind) => {
  const h = forSuite(() => startPayment(kind));

  it("creates the wallet on the first credit and adds later credits to it", async () => {
    const customerId = uniqueId("c");
    expect((await h.client.credit({ customerId, amountCents: 500, currency: "USD" })).wallet).toEqual({
      customerId,
      currency: "USD",
      balanceCents: 500,
    });
    expect((await h.client.credit({ customerId, amountCents: 250, currency: "USD" })).wallet).toEqual({
      customerId,
      currency: "USD",
      balanceCents: 750,
    });
    expect(await balanceOf(h, customerId)).toBe(750);
  });

  it("answers NOT_FOUND WALLET_NOT_FOUND for a customer never credited", async () => {
    const err = await rejectionOf(h.client.getWallet({ customerId: uniqueId("nobody"), currency: "USD" }));
    expect(err.grpcStatus).toBe(status.NOT_FOUND);
    expect(err.code).toBe("WALLET_NOT_FOUND");
  });

  it("applies concurrent credits to one wallet without losing any", async () => {
    const customerId = uniqueId("c");
    await Promise.all(
      Array.from({ length: 20 }, () => h.client.credit({ customerId, amountCents: 10, currency: "USD" })),
    );
    expect(await balanceOf(h, customerId)).toBe(200);
  });
});
