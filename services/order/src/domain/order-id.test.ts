import { describe, expect, it } from "vitest";
import { parseOrderId } from "./order-id";

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
