import { describe, expect, it } from "vitest";
import { canonicalJson, requestHash } from "./request-hash";

describe("requestHash", () => {
  it("ignores key order at every depth", () => {
    const a = { items: [{ sku: "apple", quantity: 2 }], deliveryLocation: { lat: 1.5, lon: 2 } };
    const b = { deliveryLocation: { lon: 2, lat: 1.5 }, items: [{ quantity: 2, sku: "apple" }] };
    expect(canonicalJson(b)).toBe('{"deliveryLocation":{"lat":1.5,"lon":2},"items":[{"quantity":2,"sku":"apple"}]}');
    expect(requestHash(a)).toBe(requestHash(b));
    expect(requestHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("tells different bodies apart, including the order of lines", () => {
    const one = {
      items: [
        { sku: "a", quantity: 1 },
        { sku: "b", quantity: 1 },
      ],
    };
    const other = {
      items: [
        { sku: "b", quantity: 1 },
        { sku: "a", quantity: 1 },
      ],
    };
    expect(requestHash(one)).not.toBe(requestHash(other));
    expect(requestHash({ items: [{ sku: "a", quantity: 1 }] })).not.toBe(
      requestHash({ items: [{ sku: "a", quantity: 2 }] }),
    );
  });
});
