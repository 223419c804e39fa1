import { AppError } from "@qc/platform/errors";
import { describe, expect, it, vi } from "vitest";
import type { E2E } from "./e2e-stack";
import { fixtures } from "./fixtures";

/** Fixtures over a payment client whose GetWallet answers `answers` in turn. */
function withWalletReads(...answers: (number | AppError)[]) {
  const getWallet = vi.fn(async () => {
    const next = answers.shift();
    if (next === undefined) throw new Error("no more answers");
    if (next instanceof AppError) throw next;
    return { wallet: { balanceCents: next } };
  });
  const e2e = { payment: { call: { getWallet } } } as unknown as E2E;
  return { f: fixtures(e2e, "admin-token"), getWallet };
}

describe("balanceOf", () => {
  it("asks again when a read fails (a timeout on a loaded machine): never reads a failure as 0", async () => {
    const { f, getWallet } = withWalletReads(
      new AppError("unavailable", "DEADLINE_EXCEEDED", "deadline exceeded"),
      900,
    );
    expect(await f.balanceOf("alice")).toBe(900);
    expect(getWallet).toHaveBeenCalledTimes(2);
  });

  it("reads 0 for a customer who never held the currency (WALLET_NOT_FOUND)", async () => {
    const { f } = withWalletReads(new AppError("not_found", "WALLET_NOT_FOUND", "no wallet"));
    expect(await f.balanceOf("nobody")).toBe(0);
  });

  it("raises any other error", async () => {
    const { f } = withWalletReads(new AppError("invalid", "INVALID_CURRENCY", "bad currency"));
    await expect(f.balanceOf("alice", "XXX")).rejects.toMatchObject({ code: "INVALID_CURRENCY" });
  });
});

describe("stockOf", () => {
  it("asks again when a read fails as unavailable, and raises any other error", async () => {
    const answers: (number | AppError)[] = [
      new AppError("unavailable", "SERVICE_UNAVAILABLE", "restarting"),
      3,
      new AppError("not_found", "PRODUCT_NOT_FOUND", "no such product"),
    ];
    const getProduct = vi.fn(async () => {
      const next = answers.shift();
      if (next instanceof AppError) throw next;
      return { product: { stock: next } };
    });
    const f = fixtures({ inventory: { call: { getProduct } } } as unknown as E2E, "admin-token");
    expect(await f.stockOf("bread")).toBe(3);
    expect(getProduct).toHaveBeenCalledTimes(2);
    await expect(f.stockOf("nothing")).rejects.toMatchObject({ code: "PRODUCT_NOT_FOUND" });
  });
});
