import { describe, expect, it, vi } from "vitest";
import { cachingVerifier } from "./verified-token-cache";

describe("cachingVerifier", () => {
  it("checks a token once until it expires, and never caches a failure", async () => {
    let now = 1_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const verify = vi.fn(async (token: string) => {
      if (token === "bad") throw new Error("invalid token");
      return { subject: token, role: "customer" as const };
    });
    const cached = cachingVerifier(verify, () => now + 60_000);
    await cached("alice");
    await cached("alice");
    expect(verify).toHaveBeenCalledTimes(1);
    await expect(cached("bad")).rejects.toThrow("invalid token");
    await expect(cached("bad")).rejects.toThrow("invalid token");
    expect(verify).toHaveBeenCalledTimes(3);
    now += 60_001; // expired: checked again (and refused by the real verifier)
    await cached("alice");
    expect(verify).toHaveBeenCalledTimes(4);
    vi.restoreAllMocks();
  });
});
