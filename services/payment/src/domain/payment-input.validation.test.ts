import { describe, expect, it } from "vitest";
import {
  checkChargeAmount,
  checkCreditAmount,
  checkCurrency,
  checkCustomerId,
  checkOrderId,
} from "./payment-input.validation";

const codeOf = (c: { ok: boolean; violation?: { code: string } }): string | undefined => c.violation?.code;

describe("checkCustomerId", () => {
  // Any subject the gateway accepts in a token (one pattern, @qc/platform/identity): 128 characters, ':' too.
  it.each(["a", "A1", "cust_1.x@shop-2", "idp:user-1", "9".repeat(128)])("accepts %s", (id) => {
    expect(checkCustomerId(id).ok).toBe(true);
  });
  it.each(["", "-a", "_a", ".a", "a b", "a/b", "ä", "a".repeat(129), 42, undefined])("refuses %s", (id) => {
    expect(codeOf(checkCustomerId(id))).toBe("INVALID_CUSTOMER_ID");
  });
});

describe("checkOrderId", () => {
  it.each(["o", "order 1/ä", "x".repeat(64), "😀".repeat(64)])("accepts %s", (id) => {
    expect(checkOrderId(id).ok).toBe(true);
  });
  it.each(["", "x".repeat(65), "a\u0000b", "a\nb", 7, null])("refuses %s", (id) => {
    expect(codeOf(checkOrderId(id))).toBe("INVALID_ORDER_ID");
  });
});

describe("checkCurrency", () => {
  // The rule products' prices follow too (@qc/platform/money).
  it.each(["USD", "EUR", "JPY"])("accepts %s", (currency) => {
    expect(checkCurrency(currency).ok).toBe(true);
  });
  it.each(["", "usd", "Eur", "EURO", "US", "E1R", " USD", "USD\n", 840, null, undefined])("refuses %s", (currency) => {
    expect(codeOf(checkCurrency(currency))).toBe("INVALID_CURRENCY");
  });
});

describe("amounts", () => {
  it("credits 1..10^9 cents", () => {
    expect(checkCreditAmount(1).ok).toBe(true);
    expect(checkCreditAmount(1_000_000_000).ok).toBe(true);
    for (const bad of [0, -1, 1_000_000_001, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "5"]) {
      expect(codeOf(checkCreditAmount(bad))).toBe("INVALID_AMOUNT");
    }
  });

  it("charges 1..10^10 cents; zero is refused", () => {
    expect(checkChargeAmount(1).ok).toBe(true);
    expect(checkChargeAmount(10_000_000_000).ok).toBe(true);
    for (const bad of [0, -1, 10_000_000_001, 0.5, Number.NaN]) {
      expect(codeOf(checkChargeAmount(bad))).toBe("INVALID_AMOUNT");
    }
  });
});
