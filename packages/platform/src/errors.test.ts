import { describe, expect, it } from "vitest";
import { accepted, allAccepted, invalid, isAppError, refused, rejected, valueOrThrow } from "./errors";

describe("checked values", () => {
  it("unwraps an accepted value and throws a rejected one's error as it is", () => {
    expect(valueOrThrow(accepted(3))).toBe(3);
    const error = refused("OUT_OF_STOCK", "out of stock: a");
    let thrown: unknown;
    try {
      valueOrThrow(rejected(error));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(error);
    expect(isAppError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ kind: "refused", code: "OUT_OF_STOCK", message: "out of stock: a" });
  });

  it("allAccepted answers with the first violation in the order given", () => {
    expect(allAccepted("v", accepted(1), accepted(2))).toEqual({ ok: true, value: "v" });
    const first = rejected(invalid("A", "a"));
    const checked = allAccepted("v", accepted(1), first, rejected(invalid("B", "b")));
    expect(checked).toBe(first);
  });
});
