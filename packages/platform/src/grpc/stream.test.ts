import { orderV1 } from "@qc/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { notFound } from "../errors";
import type { Handlers } from "./server";
import { serveForTest } from "./test-service";

// The order service's WatchOrder is the one server-streaming method of the contracts.
const definition = orderV1.OrderServiceService;
type Watch = Handlers<typeof definition>["watchOrder"];
const notUsed = () => Promise.reject(new Error("not used"));
const state = (version: number): orderV1.WatchOrderResponse => ({ order: undefined, version });

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function serve(watchOrder: Watch) {
  const { client, stop } = await serveForTest(definition, {
    createOrder: notUsed,
    getOrder: notUsed,
    batchGetOrders: notUsed,
    listOrders: notUsed,
    searchOrders: notUsed,
    markDelivered: notUsed,
    listDeadLetters: notUsed,
    replayDeadLetter: notUsed,
    listCircuitBreakers: notUsed,
    getRiderAssignment: notUsed,
    watchOrder,
  });
  stops.push(stop);
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
