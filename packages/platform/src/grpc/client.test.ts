import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { paymentV1 } from "@qc/contracts";
import { describe, expect, it } from "vitest";
import { notFound } from "../errors";
import { releasedAfterFirstCall } from "./client";
import { RemoteError } from "./status";
import { serveForTest } from "./test-service";

describe("releasedAfterFirstCall", () => {
  it("calls its callback once, whatever calls it after", () => {
    const calls: number[] = [];
    const once = releasedAfterFirstCall((n: number) => calls.push(n));
    once(1);
    once(2);
    expect(calls).toEqual([1]);
  });
});

describe("a finished unary call keeps nothing of its caller", () => {
  // A finished call's objects, its callbacks among them, survive young-generation collections until
  // a full one (see releasedAfterFirstCall). Whatever those callbacks capture is then copied and
  // promoted, and every young collection pays for it. The fixture's callers each leave ~200 KB
  // reachable only from their call's callbacks.
  it("lets the young-generation collector free what the call's callbacks captured", async () => {
    const fixture = fileURLToPath(new URL("./retention.fixture.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--trace-gc-nvp", "--max-semi-space-size=4", fixture],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const { calls, timed } = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { calls: number; timed: number };
    expect(timed).toBe(calls);
    const promoted = [...stdout.matchAll(/promoted=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    // Measured: 51–53 KB per call when the callbacks keep what they captured, 16 KB (the call's own
    // objects, both of its ends in this process) when they let go of it.
    expect(promoted / calls / 1024).toBeLessThan(30);
  }, 60_000);
});

describe("a unary call", () => {
  const notUsed = () => Promise.reject(new Error("not used"));

  it("answers with the message, or with the server's error as an AppError, and formats no stack", async () => {
    const { client, stop } = await serveForTest(paymentV1.PaymentServiceService, {
      getWallet: async ({ customerId }) => {
        if (customerId === "nobody") throw notFound("WALLET_NOT_FOUND", "no wallet for nobody");
        return { wallet: { customerId, balanceCents: 7, currency: "EUR" } };
      },
      charge: notUsed,
      refund: notUsed,
      credit: notUsed,
    });
    // Formatting a stack (its first read) is what made a refused call cost more than the rest of it.
    const original = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
    let formatted = 0;
    Error.prepareStackTrace = (err: Error) => {
      formatted += 1;
      return `${err.name}: ${err.message}`;
    };
    try {
      const answer = await client.call.getWallet({ customerId: "a", currency: "" });
      const failure = await client.call.getWallet({ customerId: "nobody", currency: "" }).catch((e: unknown) => e);
      expect(formatted).toBe(0);
      expect(answer.wallet).toEqual({ customerId: "a", balanceCents: 7, currency: "EUR" });
      expect(failure).toBeInstanceOf(RemoteError);
      expect(failure).toMatchObject({ kind: "not_found", code: "WALLET_NOT_FOUND", sentByServer: true });
      expect((failure as Error).message).toBe("no wallet for nobody");
    } finally {
      if (original) Object.defineProperty(Error, "prepareStackTrace", original);
      else Reflect.deleteProperty(Error, "prepareStackTrace");
      await stop();
    }
  });
});
