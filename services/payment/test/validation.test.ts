import { beforeAll, describe, expect, it } from "vitest";
import { forSuite } from "@qc/platform/testing/suite";
import { databaseKinds } from "@qc/platform/testing";
import {
  balanceOf,
  metadataCode,
  rejectionOf,
  startPayment,
  status,
  uniqueId,
  type PaymentHarness,
} from "./payment-harness";

describe.each(databaseKinds)("bad input over gRPC on %s", (kind) => {
  const h = forSuite(() => startPayment(kind));
  let customerId: string;
  beforeAll(async () => {
    customerId = uniqueId("c");
    await h.client.credit({ customerId, amountCents: 1_000, currency: "USD" });
  });

  const orderId = "order-valid-1";
  const cases: { name: string; call: (h: PaymentHarness, customerId: string) => Promise<unknown>; code: string }[] = [
    {
      name: "credit: empty customer id",
      call: (h) => h.client.credit({ customerId: "", amountCents: 10, currency: "USD" }),
      code: "INVALID_CUSTOMER_ID",
    },
    {
      name: "credit: customer id starting with a dash",
      call: (h) => h.client.credit({ customerId: "-x", amountCents: 10, currency: "USD" }),
      code: "INVALID_CUSTOMER_ID",
    },
    {
      name: "credit: customer id of 129 chars",
      call: (h) => h.client.credit({ customerId: "a".repeat(129), amountCents: 10, currency: "USD" }),
      code: "INVALID_CUSTOMER_ID",
    },
    {
      name: "credit: customer id with a space",
      call: (h) => h.client.credit({ customerId: "a b", amountCents: 10, currency: "USD" }),
      code: "INVALID_CUSTOMER_ID",
    },
    {
      name: "credit: zero",
      call: (h, c) => h.client.credit({ customerId: c, amountCents: 0, currency: "USD" }),
      code: "INVALID_AMOUNT",
    },
    {
      name: "credit: negative",
      call: (h, c) => h.client.credit({ customerId: c, amountCents: -5, currency: "USD" }),
      code: "INVALID_AMOUNT",
    },
    {
      name: "credit: above 10^9",
      call: (h, c) => h.client.credit({ customerId: c, amountCents: 1_000_000_001, currency: "USD" }),
      code: "INVALID_AMOUNT",
    },
    {
      name: "get wallet: bad customer id",
      call: (h) => h.client.getWallet({ customerId: "bad id", currency: "USD" }),
      code: "INVALID_CUSTOMER_ID",
    },
    {
      name: "credit: lower-case currency",
      call: (h, c) => h.client.credit({ customerId: c, amountCents: 10, currency: "usd" }),
      code: "INVALID_CURRENCY",
    },
    {
      name: "credit: four-letter currency",
      call: (h, c) => h.client.credit({ customerId: c, amountCents: 10, currency: "EURO" }),
      code: "INVALID_CURRENCY",
    },
    {
      name: "get wallet: bad currency",
      call: (h, c) => h.client.getWallet({ customerId: c, currency: "€" }),
      code: "INVALID_CURRENCY",
    },
    {
      name: "charge: bad currency",
      call: (h, c) => h.client.charge({ orderId, customerId: c, amountCents: 10, currency: "US1" }),
      code: "INVALID_CURRENCY",
    },
    {
      name: "charge: empty order id",
      call: (h, c) => h.client.charge({ orderId: "", customerId: c, amountCents: 10, currency: "USD" }),
      code: "INVALID_ORDER_ID",
    },
    {
      name: "charge: order id of 65 chars",
      call: (h, c) => h.client.charge({ orderId: "o".repeat(65), customerId: c, amountCents: 10, currency: "USD" }),
      code: "INVALID_ORDER_ID",
    },
    {
      name: "charge: order id with NUL",
      call: (h, c) => h.client.charge({ orderId: "o\u0000", customerId: c, amountCents: 10, currency: "USD" }),
      code: "INVALID_ORDER_ID",
    },
    {
      name: "charge: bad customer id",
      call: (h) => h.client.charge({ orderId, customerId: "x/y", amountCents: 10, currency: "USD" }),
      code: "INVALID_CUSTOMER_ID",
    },
    {
      name: "charge: zero",
      call: (h, c) => h.client.charge({ orderId, customerId: c, amountCents: 0, currency: "USD" }),
      code: "INVALID_AMOUNT",
    },
    {
      name: "charge: negative",
      call: (h, c) => h.client.charge({ orderId, customerId: c, amountCents: -1, currency: "USD" }),
      code: "INVALID_AMOUNT",
    },
    {
      name: "charge: above 10^10",
      call: (h, c) => h.client.charge({ orderId, customerId: c, amountCents: 10_000_000_001, currency: "USD" }),
      code: "INVALID_AMOUNT",
    },
    { name: "refund: empty order id", call: (h) => h.client.refund({ orderId: "" }), code: "INVALID_ORDER_ID" },
    {
      name: "refund: order id of 65 chars",
      call: (h) => h.client.refund({ orderId: "o".repeat(65) }),
      code: "INVALID_ORDER_ID",
    },
  ];

  it.each(cases)("$name → INVALID_ARGUMENT $code, nothing changed", async ({ call, code }) => {
    const err = await rejectionOf(call(h, customerId));
    expect(err.grpcStatus).toBe(status.INVALID_ARGUMENT);
    expect(metadataCode(err)).toBe(code);
    expect(err.code).toBe(code);

    expect(await balanceOf(h, customerId)).toBe(1_000);
    const charges = await h.db.selectFrom("charges").select("order_id").execute();
    expect(charges).toEqual([]);
    const wallets = await h.db.selectFrom("wallets").select("customer_id").execute();
    expect(wallets).toEqual([{ customer_id: customerId }]);
  });

  it("accepts the limits themselves", async () => {
    // A customer id is any subject the gateway accepts in a token: 128 characters, ':' too.
    const longest = `idp:${"A".repeat(124)}`;
    await h.client.credit({ customerId: longest, amountCents: 1_000_000_000, currency: "USD" });
    await h.client.charge({
      orderId: "o".repeat(64),
      customerId: longest,
      amountCents: 1_000_000_000,
      currency: "USD",
    });
    expect(await balanceOf(h, longest)).toBe(0);
  });
});
