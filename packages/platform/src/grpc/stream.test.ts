import { orderV1 } from "@qc/contracts";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { notFound } from "../errors";
import { ResilientTarget } from "../resilience";
import { createGrpcClient } from "./client";
import { implement, startGrpcServer, type Handlers, type RunningGrpcServer } from "./server";
import { plaintextTransport } from "./tls";

// The order service's WatchOrder is the one server-streaming method of the contracts.
const definition = orderV1.OrderServiceService;
type Watch = Handlers<typeof definition>["watchOrder"];
const silent = pino({ level: "silent" });
const notUsed = () => Promise.reject(new Error("not used"));
const state = (version: number): orderV1.WatchOrderResponse => ({ order: undefined, version });

let server: RunningGrpcServer | null = null;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server?.stop(100);
  server = null;
});

async function serve(watchOrder: Watch) {
  const handlers: Handlers<typeof definition> = {
    createOrder: notUsed,
    getOrder: notUsed,
    listOrders: notUsed,
    searchOrders: notUsed,
    markDelivered: notUsed,
    listDeadLetters: notUsed,
    replayDeadLetter: notUsed,
    listCircuitBreakers: notUsed,
    watchOrder,
  };
  server = await startGrpcServer([{ definition, implementation: implement(definition, handlers, silent) }], "127.0.0.1", 0, { transport: plaintextTransport });
  const client = createGrpcClient(definition, `127.0.0.1:${server.port}`, {
    transport: plaintextTransport,
    resilience: new ResilientTarget("test", "order", { timeoutMs: 2_000, breakerThreshold: 100, halfOpenAfterMs: 1_000, retryAttempts: 1, retryInitialDelayMs: 1 }),
    retrySafe: [],
  });
  closers.push(() => client.close());
  return client;
}

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const got: T[] = [];
  for await (const x of it) got.push(x);
  return got;
};

describe("server-streaming calls", () => {
  it("delivers what the handler yields, in order, and ends when it returns", async () => {
    const client = await serve(async function* (req) {
      expect(req.orderId).toBe("o-1");
      for (const v of [1, 2, 3]) yield state(v);
    });
    expect((await collect(client.call.watchOrder({ orderId: "o-1" }))).map((s) => s.version)).toEqual([1, 2, 3]);
  });

  it("ends with the handler's error, its stable code kept", async () => {
    const client = await serve(async function* () {
      yield state(1);
      throw notFound("ORDER_NOT_FOUND", "order o-1 not found");
    });
    const got: number[] = [];
    const err = await (async () => {
      for await (const s of client.call.watchOrder({ orderId: "o-1" })) got.push(s.version);
    })().catch((e: unknown) => e);
    expect(got).toEqual([1]);
    expect(err).toMatchObject({ kind: "not_found", code: "ORDER_NOT_FOUND" });
  });

  it("stops quietly when the caller aborts, and the handler's signal tells it", async () => {
    let handlerSignal: AbortSignal | undefined;
    const client = await serve(async function* (_req, signal) {
      handlerSignal = signal;
      yield state(1);
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
    });
    const leave = new AbortController();
    const got: number[] = [];
    for await (const s of client.call.watchOrder({ orderId: "o-1" }, { signal: leave.signal })) {
      got.push(s.version);
      leave.abort();
    }
    expect(got).toEqual([1]);
    for (let i = 0; i < 100 && !handlerSignal?.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(handlerSignal?.aborted).toBe(true);
  });
});
