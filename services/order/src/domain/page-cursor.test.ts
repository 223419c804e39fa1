import { describe, expect, it } from "vitest";
import { decodePageCursor, encodePageCursor } from "./page-cursor";

const token = (text: string) => Buffer.from(text).toString("base64url");
const ID = "0b6f1d5e-8c8a-4f6e-9d7b-3c1f2a4b5c6d";

describe("page cursor", () => {
  it("decodes what it encoded", () => {
    const cursor = { createdUs: "1764500000123456", id: ID };
    expect(decodePageCursor(encodePageCursor(cursor))).toEqual({ ok: true, value: cursor });
    expect(decodePageCursor(token(`9223372036854775807:${cursor.id}`))).toMatchObject({
      ok: true,
      value: { createdUs: "9223372036854775807" },
    });
  });

  it.each([
    ["a time beyond bigint", token(`99999999999999999999:${ID}`)],
    ["a time of 2^63", token(`9223372036854775808:${ID}`)],
    ["a negative time", token(`-1:${ID}`)],
    ["a time with leading zeros", token(`0001:${ID}`)],
    ["no id", token("1700000000000000:")],
    ["an id that is no uuid", token("1700000000000000:abc")],
    ["a third part", token(`1700000000000000:${ID}:x`)],
    ["garbage", "!!!"],
    ["trailing padding", `${token(`1:${ID}`)}=`],
  ])("refuses %s as INVALID_PAGE_TOKEN", (_, t) => {
    expect(decodePageCursor(t)).toMatchObject({
      ok: false,
      violation: { kind: "invalid", code: "INVALID_PAGE_TOKEN" },
    });
  });
});
