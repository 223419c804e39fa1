import { paymentV1 } from "@qc/contracts";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { currentDeadline, withDeadline } from "../overload/deadline";
import { ResilientTarget } from "../resilience";
import { createGrpcClient } from "./client";
import { implement, startGrpcServer, type RunningGrpcServer, type UnaryHandlers } from "./server";
import { plaintextTransport } from "./tls";

const definition = paymentV1.PaymentServiceService;
const silent = pino({ level: "silent" });
const wallet = (customerId: string) => ({ wallet: { customerId, balanceCents: 0, currency: "EUR" } });
const notUsed = () => Promise.reject(new Error("not used"));

let server: RunningGrpcServer | null = null;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server?.stop(100);
  server = null;
});

async function serve(getWallet: UnaryHandlers<typeof definition>["getWallet"]) {
  const handlers: UnaryHandlers<typeof definition> = { getWallet, charge: notUsed, refund: notUsed, credit: notUsed };
  server = await startGrpcServer([{ definition, implementation: implement(definition, handlers, silent) }], "127.0.0.1", 0, { transport: plaintextTransport });
  const client = createGrpcClient(definition, `127.0.0.1:${server.port}`, {
    transport: plaintextTransport,
    resilience: new ResilientTarget("test", "payment", { timeoutMs: 2_000, breakerThreshold: 100, halfOpenAfterMs: 1_000, retryAttempts: 1, retryInitialDelayMs: 1 }),
    retrySafe: [],
  });
  closers.push(() => client.close());
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
    // grpc-timeout travels in whole milliseconds (or coarser units), relative to the time it is sent.
    expect(Math.abs(seen - callerDeadline)).toBeLessThan(50);
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
    const late = withDeadline(Date.now() + 50, () => client.call.getWallet({ customerId: "late", currency: "" })).catch((err: unknown) => err);
    await busy;
    expect(await late).toMatchObject({ kind: "unavailable" });
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).toEqual(["busy"]);
  });
});
