import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodePageCursor, encodePageCursor } from "./page-cursor";

const token = (text: string) => Buffer.from(text).toString("base64url");

describe("page cursor", () => {
  it("decodes what it encoded", () => {
    const cursor = { createdUs: "1764500000123456", id: randomUUID() };
    expect(decodePageCursor(encodePageCursor(cursor))).toEqual(cursor);
    expect(decodePageCursor(token(`9223372036854775807:${cursor.id}`)).createdUs).toBe("9223372036854775807");
  });

  it.each([
    ["a time beyond bigint", token(`99999999999999999999:${randomUUID()}`)],
    ["a time of 2^63", token(`9223372036854775808:${randomUUID()}`)],
    ["a negative time", token(`-1:${randomUUID()}`)],
    ["a time with leading zeros", token(`0001:${randomUUID()}`)],
    ["no id", token("1700000000000000:")],
    ["an id that is no uuid", token("1700000000000000:abc")],
    ["a third part", token(`1700000000000000:${randomUUID()}:x`)],
    ["garbage", "!!!"],
    ["trailing padding", `${token(`1:${randomUUID()}`)}=`],
  ])("refuses %s as INVALID_PAGE_TOKEN", (_, t) => {
    expect(() => decodePageCursor(t)).toThrow(expect.objectContaining({ kind: "invalid", code: "INVALID_PAGE_TOKEN" }));
  });
});
