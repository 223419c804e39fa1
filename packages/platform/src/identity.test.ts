import { describe, expect, it } from "vitest";
import { isSubject, SUBJECT_MAX_LENGTH, SUBJECT_PATTERN } from "./identity";

describe("subject", () => {
  it.each(["a", "alice", "cust_1.x@shop-2", "idp:user-1", "9".repeat(SUBJECT_MAX_LENGTH)])("accepts %s", (s) => {
    expect(isSubject(s)).toBe(true);
  });

  it.each(["", "-a", ".a", ":a", "a b", "a/b", "a|b", "ä", "a\n", "a".repeat(SUBJECT_MAX_LENGTH + 1), 42, null])(
    "refuses %j",
    (s) => {
      expect(isSubject(s)).toBe(false);
    },
  );

  it("is one JSON-schema pattern string (the gateway's schemas use it as is)", () => {
    expect(new RegExp(SUBJECT_PATTERN).test("idp:user-1")).toBe(true);
  });
});
