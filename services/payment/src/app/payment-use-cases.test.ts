import { rejectionOf } from "@qc/platform/testing";
import { describe, expect, it } from "vitest";
import type { ChargeRecord, ChargeRequest } from "../domain/charge";
import type { ChargeLedger } from "./charge-ledger.port";
import { paymentUseCases } from "./payment-use-cases";
import type { WalletStore } from "./wallet-store.port";

const unused = (): never => {
  throw new Error("store must not be called");
};
const noWallets: WalletStore = { credit: unused, find: unused };
const noLedger: ChargeLedger = { chargeOnce: unused, refund: unused };

const request: ChargeRequest = { orderId: "o1", customerId: "c1", amountCents: 500, currency: "EUR" };
const ledgerAnswering = (record: Partial<ChargeRecord>): ChargeLedger => ({
  chargeOnce: async (r) => ({ ...r, status: "charged", chargeId: "ch-1", ...record }),
  refund: unused,
});

const useCases = paymentUseCases;

const errorOf = rejectionOf;

describe("the payment use cases", () => {
  it("credits the balance in the request's currency through the store", async () => {
    const credited: [string, string, number][] = [];
    const wallets: WalletStore = {
      credit: async (customerId, currency, amountCents) => {
        credited.push([customerId, currency, amountCents]);
        return { customerId, currency, balanceCents: amountCents };
      },
      find: unused,
    };
    const service = useCases(wallets, noLedger);
    expect(await service.creditWallet.execute({ customerId: "c1", currency: "EUR", amountCents: 10 })).toEqual({
      customerId: "c1",
      currency: "EUR",
      balanceCents: 10,
    });
    expect(credited).toEqual([["c1", "EUR", 10]]);
  });

  it("rejects bad input before touching any store", async () => {
    const service = useCases(noWallets, noLedger);
    const cases: [Promise<unknown>, string][] = [
      [service.creditWallet.execute({ customerId: "", currency: "USD", amountCents: 10 }), "INVALID_CUSTOMER_ID"],
      [service.creditWallet.execute({ customerId: "c1", currency: "USD", amountCents: 0 }), "INVALID_AMOUNT"],
      [service.getWallet.execute({ customerId: "a b", currency: "USD" }), "INVALID_CUSTOMER_ID"],
      [service.chargeOrder.execute({ ...request, orderId: "" }), "INVALID_ORDER_ID"],
      [service.chargeOrder.execute({ ...request, amountCents: 0 }), "INVALID_AMOUNT"],
      [service.refundOrder.execute({ orderId: "x".repeat(65) }), "INVALID_ORDER_ID"],
      // The wire's empty currency is the gRPC adapter's to default; past it, one is always named.
      ...["", "usd", "EURO", "E1R"].flatMap((currency): [Promise<unknown>, string][] => [
        [service.creditWallet.execute({ customerId: "c1", currency, amountCents: 10 }), "INVALID_CURRENCY"],
        [service.getWallet.execute({ customerId: "c1", currency }), "INVALID_CURRENCY"],
        [service.chargeOrder.execute({ ...request, currency }), "INVALID_CURRENCY"],
      ]),
    ];
    for (const [call, code] of cases) {
      const err = await errorOf(call);
      expect(err.kind).toBe("invalid");
      expect(err.code).toBe(code);
    }
  });

  it("reads one balance: the one in the currency asked for", async () => {
    const asked: [string, string][] = [];
    const wallets: WalletStore = {
      credit: unused,
      find: async (customerId, currency) => {
        asked.push([customerId, currency]);
        return currency === "EUR" ? { customerId, currency, balanceCents: 70 } : undefined;
      },
    };
    const service = useCases(wallets, noLedger);
    expect(await service.getWallet.execute({ customerId: "c1", currency: "EUR" })).toEqual({
      customerId: "c1",
      currency: "EUR",
      balanceCents: 70,
    });
    // Holding EUR is no USD wallet.
    const err = await errorOf(service.getWallet.execute({ customerId: "c1", currency: "USD" }));
    expect([err.kind, err.code]).toEqual(["not_found", "WALLET_NOT_FOUND"]);
    expect(asked).toEqual([
      ["c1", "EUR"],
      ["c1", "USD"],
    ]);
  });

  it("answers WALLET_NOT_FOUND for an unknown customer", async () => {
    const service = useCases({ credit: unused, find: async () => undefined }, noLedger);
    const err = await errorOf(service.getWallet.execute({ customerId: "c1", currency: "USD" }));
    expect([err.kind, err.code]).toEqual(["not_found", "WALLET_NOT_FOUND"]);
  });

  it("hands the ledger the order's currency", async () => {
    const asked: ChargeRequest[] = [];
    const ledger: ChargeLedger = {
      chargeOnce: async (r) => (asked.push(r), { ...r, status: "charged", chargeId: "ch-1" }),
      refund: unused,
    };
    await useCases(noWallets, ledger).chargeOrder.execute(request);
    expect(asked).toEqual([request]);
  });

  it("returns the receipt of a charged order", async () => {
    const service = useCases(noWallets, ledgerAnswering({}));
    expect(await service.chargeOrder.execute(request)).toEqual({ chargeId: "ch-1", amountCents: 500, currency: "EUR" });
  });

  it.each([
    [{ status: "declined", chargeId: null }, "refused", "PAYMENT_DECLINED"],
    [{ amountCents: 400 }, "conflict", "CHARGE_MISMATCH"],
    [{ currency: "USD" }, "conflict", "CHARGE_MISMATCH"],
    [
      { status: "voided", customerId: null, amountCents: 0, currency: null, chargeId: null },
      "refused",
      "CHARGE_VOIDED",
    ],
    [{ status: "refunded" }, "refused", "CHARGE_VOIDED"],
  ] as const)("maps the ledger row %o to %s %s", async (record, kind, code) => {
    const service = useCases(noWallets, ledgerAnswering(record));
    const err = await errorOf(service.chargeOrder.execute(request));
    expect([err.kind, err.code]).toEqual([kind, code]);
  });

  it("reports whether a refund returned money", async () => {
    const refunded: string[] = [];
    const ledger: ChargeLedger = {
      chargeOnce: unused,
      refund: async (orderId) => {
        refunded.push(orderId);
        return orderId === "o1";
      },
    };
    const service = useCases(noWallets, ledger);
    expect(await service.refundOrder.execute({ orderId: "o1" })).toEqual({ refunded: true });
    expect(await service.refundOrder.execute({ orderId: "o2" })).toEqual({ refunded: false });
    expect(refunded).toEqual(["o1", "o2"]);
  });
});
