import { describe, expect, it } from "vitest";
import { MAX_BATCH_ORDER_IDS, parseOrderId, parseOrderIdList } from "./order-id";

describe("parseOrderId", () => {
  const id = "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b";

  it.each([id, id.toUpperCase(), "3F2b8C1e-9A4d-4E6f-8B7a-0C1d2E3f4A5b"])("answers %s in lowercase", (raw) => {
    expect(parseOrderId(raw)).toBe(id);
  });

  it.each([
    "",
    "o-1",
    `${id} `,
    ` ${id}`,
    id.replaceAll("-", ""),
    `{${id}}`,
    `${id}0`,
    "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5g",
  ])("refuses %j", (raw) => {
    expect(parseOrderId(raw)).toBeNull();
  });
});

describe("parseOrderIdList", () => {
  const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
  const a = "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b";
  const codeOf = (c: ReturnType<typeof parseOrderIdList>) => (c.ok ? null : c.violation.code);

  it("answers the distinct ids in lowercase, in the order first asked, one order typed in two cases once", () => {
    expect(parseOrderIdList([id(2), a.toUpperCase(), id(1), a, id(2)])).toEqual({ ok: true, value: [id(2), a, id(1)] });
    expect(parseOrderIdList([])).toEqual({ ok: true, value: [] });
  });

  it(`takes ${MAX_BATCH_ORDER_IDS} distinct ids, however often repeated, and refuses one more`, () => {
    const max = Array.from({ length: MAX_BATCH_ORDER_IDS }, (_, n) => id(n));
    expect(parseOrderIdList([...max, ...max, max[0]!.toUpperCase()])).toEqual({ ok: true, value: max });
    const over = parseOrderIdList([...max, id(MAX_BATCH_ORDER_IDS)]);
    expect(over.ok ? null : { kind: over.violation.kind, code: over.violation.code }).toEqual({
      kind: "invalid",
      code: "TOO_MANY_ORDER_IDS",
    });
  });

  it.each(["", "o-1", `${a} `, a.replaceAll("-", "")])(
    "refuses the whole list for %j as GetOrder's parse does",
    (bad) => {
      const got = parseOrderIdList([a, bad]);
      expect(codeOf(got)).toBe("INVALID_ORDER_ID");
      expect(got.ok ? null : got.violation.kind).toBe("invalid");
    },
  );
});
