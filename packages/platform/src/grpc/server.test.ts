import { paymentV1 } from "@qc/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { currentDeadline, withDeadline } from "../overload/deadline";
import type { UnaryHandlers } from "./server";
import { serveForTest } from "./test-service";

const definition = paymentV1.PaymentServiceService;
const wallet = (customerId: string) => ({ wallet: { customerId, balanceCents: 0, currency: "EUR" } });
const notUsed = () => Promise.reject(new Error("not used"));

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function serve(getWallet: UnaryHandlers<typeof definition>["getWallet"]) {
  const { client, stop } = await serveForTest(definition, {
    getWallet,
    charge: notUsed,
    refund: notUsed,
    credit: notUsed,
  });
  stops.push(stop);
  return client;
}

describe("deadlines travel with calls", () => {
  it("runs a handler under its caller's deadline: the one the caller worked under, not the call's own timeout", async () => {
    let seen = Number.NaN;
    const client = await serve(async () => {
      seen = currentDeadline();
      return wallet("a");
    });
    const callerDeadline = Date.now() + 300;
    await withDeadline(callerDeadline, () => client.call.getWallet({ customerId: "a", currency: "" }));
    // grpc-timeout travels in whole milliseconds (or coarser units), relative to the time it is sent:
    // the server's deadline is the caller's, rounded down, plus the time the call took to arrive
    // (which a loaded machine stretches). The call's own 2 s timeout would put it 1.7 s later.
    expect(seen).toBeGreaterThan(callerDeadline - 50);
    expect(seen).toBeLessThan(callerDeadline + 1_000);
  });

  it("answers at once, without running the handler, a call whose caller gave up while it waited", async () => {
    const ran: string[] = [];
    const client = await serve(async (req) => {
      ran.push(req.customerId);
      // The first call holds the event loop longer than the second call's deadline.
      if (req.customerId === "busy") {
        const until = Date.now() + 200;
        while (Date.now() < until);
      }
      return wallet(req.customerId);
    });
    const busy = client.call.getWallet({ customerId: "busy", currency: "" });
    const late = withDeadline(Date.now() + 50, () => client.call.getWallet({ customerId: "late", currency: "" })).catch(
      (err: unknown) => err,
    );
    await busy;
    expect(await late).toMatchObject({ kind: "unavailable" });
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).toEqual(["busy"]);
  });
});
