import { describe, expect, it } from "vitest";
import { checkChargeAmount, checkCreditAmount, checkCurrency, checkCustomerId, checkOrderId } from "./payment-input.validation";

describe("checkCustomerId", () => {
  // Any subject the gateway accepts in a token (one pattern, @qc/platform/identity): 128 characters, ':' too.
  it.each(["a", "A1", "cust_1.x@shop-2", "idp:user-1", "9".repeat(128)])("accepts %s", (id) => {
    expect(checkCustomerId(id)).toBeUndefined();
  });
  it.each(["", "-a", "_a", ".a", "a b", "a/b", "ä", "a".repeat(129), 42, undefined])("refuses %s", (id) => {
    expect(checkCustomerId(id)?.code).toBe("INVALID_CUSTOMER_ID");
  });
});

describe("checkOrderId", () => {
  it.each(["o", "order 1/ä", "x".repeat(64), "😀".repeat(64)])("accepts %s", (id) => {
    expect(checkOrderId(id)).toBeUndefined();
  });
  it.each(["", "x".repeat(65), "a\u0000b", "a\nb", 7, null])("refuses %s", (id) => {
    expect(checkOrderId(id)?.code).toBe("INVALID_ORDER_ID");
  });
});

describe("checkCurrency", () => {
  // The rule products' prices follow too (@qc/platform/money).
  it.each(["USD", "EUR", "JPY"])("accepts %s", (currency) => {
    expect(checkCurrency(currency)).toBeUndefined();
  });
  it.each(["", "usd", "Eur", "EURO", "US", "E1R", " USD", "USD\n", 840, null, undefined])("refuses %s", (currency) => {
    expect(checkCurrency(currency)?.code).toBe("INVALID_CURRENCY");
  });
});

describe("amounts", () => {
  it("credits 1..10^9 cents", () => {
    expect(checkCreditAmount(1)).toBeUndefined();
    expect(checkCreditAmount(1_000_000_000)).toBeUndefined();
    for (const bad of [0, -1, 1_000_000_001, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "5"]) {
      expect(checkCreditAmount(bad)?.code).toBe("INVALID_AMOUNT");
    }
  });

  it("charges 1..10^10 cents; zero is refused", () => {
    expect(checkChargeAmount(1)).toBeUndefined();
    expect(checkChargeAmount(10_000_000_000)).toBeUndefined();
    for (const bad of [0, -1, 10_000_000_001, 0.5, Number.NaN]) {
      expect(checkChargeAmount(bad)?.code).toBe("INVALID_AMOUNT");
    }
  });
});
