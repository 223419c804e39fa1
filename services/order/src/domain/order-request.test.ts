import { describe, expect, it } from "vitest";
import { validateOrderRequest, type OrderRequest } from "./order-request";

const request = (customerId: string): OrderRequest => ({
  customerId,
  lines: [{ sku: "apple", quantity: 1 }],
  deliveryLocation: null,
  idempotencyKey: null,
  requestHash: "h",
});

describe("validateOrderRequest's customer id", () => {
  // Any subject the gateway accepts in a token (one pattern, @qc/platform/identity): a valid token's
  // customer was refused here as INVALID_CUSTOMER_ID when its sub had a ':' or more than 64 characters.
  it.each(["alice", "cust_1.x@shop-2", "idp:user-1", "9".repeat(128)])("accepts %s", (id) => {
    expect(validateOrderRequest(request(id))).toMatchObject({ ok: true, value: { customerId: id } });
  });

  it.each(["", "-a", ".a", "a b", "a/b", "ä", "a".repeat(129)])("refuses %j as INVALID_CUSTOMER_ID", (id) => {
    expect(validateOrderRequest(request(id))).toMatchObject({ ok: false, violation: { code: "INVALID_CUSTOMER_ID" } });
  });
});
