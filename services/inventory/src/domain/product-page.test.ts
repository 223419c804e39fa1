import { describe, expect, it } from "vitest";
import { pageTokenAfter, parsePageRequest, toPage } from "./product-page";
import type { Product } from "./product";

const p = (sku: string): Product => ({ sku, name: sku, priceCents: 1, currency: "EUR", stock: 1 });

describe("parsePageRequest", () => {
  it("defaults to 20 and caps at 100", () => {
    expect(parsePageRequest(0, "")).toEqual({ ok: true, value: { limit: 20, afterSku: undefined } });
    expect(parsePageRequest(500, "")).toEqual({ ok: true, value: { limit: 100, afterSku: undefined } });
    expect(parsePageRequest(7, "")).toEqual({ ok: true, value: { limit: 7, afterSku: undefined } });
  });

  it("rejects a negative size", () => {
    expect(parsePageRequest(-1, "")).toMatchObject({ ok: false, violation: { code: "INVALID_PAGE_SIZE" } });
  });

  it("reads back its own tokens", () => {
    expect(parsePageRequest(5, pageTokenAfter("sku-9"))).toEqual({ ok: true, value: { limit: 5, afterSku: "sku-9" } });
  });

  it.each([
    "garbage",
    "!!!",
    Buffer.from("after:").toString("base64url"),
    Buffer.from("sku-9").toString("base64url"),
    `${pageTokenAfter("a")}=`,
  ])("rejects the token %j", (token) => {
    expect(parsePageRequest(5, token)).toMatchObject({ ok: false, violation: { code: "INVALID_PAGE_TOKEN" } });
  });
});

describe("toPage", () => {
  it("gives a token only when a row beyond the limit exists", () => {
    expect(toPage([p("a"), p("b"), p("c")], 2)).toEqual({
      products: [p("a"), p("b")],
      nextPageToken: pageTokenAfter("b"),
    });
    expect(toPage([p("a"), p("b")], 2)).toEqual({ products: [p("a"), p("b")], nextPageToken: "" });
    expect(toPage([], 2)).toEqual({ products: [], nextPageToken: "" });
  });
});
