import { status } from "@grpc/grpc-js";
import { orderV1 } from "@qc/contracts";
import { RemoteError, type StreamCallOptions } from "@qc/platform/grpc";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { anOrder } from "../testing/fixtures";
import type { Role } from "../auth/principal";
import { bearer, expectProblem, testApp } from "../testing/test-app";

const {
  ORDER_STATUS_PENDING: PENDING,
  ORDER_STATUS_CONFIRMED: CONFIRMED,
  ORDER_STATUS_DELIVERED: DELIVERED,
} = orderV1.OrderStatus;
const URL_OF = "/v1/orders/ord-1/events";

let app: GatewayApp;
afterEach(() => app.close());

const state = (version: number, s: orderV1.OrderStatus, customerId = "alice"): orderV1.WatchOrderResponse => ({
  order: anOrder({ status: s, customerId }),
  version,
});

/** A WatchOrder that sends `states`, then (when `hold`) stays open until the caller leaves; records each call's signal. */
function watching(states: readonly orderV1.WatchOrderResponse[], opts: { hold?: boolean; failAfter?: boolean } = {}) {
  const calls: { orderId: string; signal: AbortSignal | undefined }[] = [];
  const watchOrder = (
    req: orderV1.WatchOrderRequest,
    options?: StreamCallOptions,
  ): AsyncIterable<orderV1.WatchOrderResponse> => {
    calls.push({ orderId: req.orderId, signal: options?.signal });
    return (async function* () {
      yield* states;
      if (opts.failAfter)
        throw new RemoteError("unavailable", "SERVICE_UNAVAILABLE", "connection reset", status.UNAVAILABLE);
      if (opts.hold) await new Promise((resolve) => options?.signal?.addEventListener("abort", resolve));
    })();
  };
  return { watchOrder, calls };
}

const get = async (who: string, role: Role = "customer", headers: Record<string, string> = {}) =>
  app.inject({ method: "GET", url: URL_OF, headers: { authorization: await bearer(who, role), ...headers } });

/** The `order` events of an event-stream body: [id, status]. */
const events = (body: string) =>
  body
    .split("\n\n")
    .filter((frame) => frame.includes("event: order"))
    .map((frame) => {
      const id = /^id: (\d+)$/m.exec(frame)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "null") as { status: string };
      return [Number(id), data.status];
    });

describe("GET /v1/orders/{id}/events", () => {
  it("streams each state as an `order` event with its version as id, and ends after DELIVERED", async () => {
    const w = watching([state(1, PENDING), state(4, CONFIRMED), state(6, DELIVERED)]);
    app = testApp(fakeUpstreams({ order: { watchOrder: w.watchOrder } }));
    const res = await get("alice");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.body.startsWith("retry: 2000\n\n")).toBe(true);
    expect(events(res.body)).toEqual([
      [1, "PENDING"],
      [4, "CONFIRMED"],
      [6, "DELIVERED"],
    ]);
    expect(w.calls.map((c) => c.orderId)).toEqual(["ord-1"]);
  });

  it("resumes after Last-Event-ID: only newer states", async () => {
    app = testApp(
      fakeUpstreams({ order: { watchOrder: watching([state(4, CONFIRMED), state(6, DELIVERED)]).watchOrder } }),
    );
    expect(events((await get("alice", "customer", { "last-event-id": "4" })).body)).toEqual([[6, "DELIVERED"]]);
  });

  it("answers 204 to a client that has seen the final state, so it stops reconnecting", async () => {
    app = testApp(fakeUpstreams({ order: { watchOrder: watching([state(6, DELIVERED)]).watchOrder } }));
    const res = await get("alice", "customer", { "last-event-id": "6" });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    // Not seen yet: the final state, and the end.
    expect(events((await get("alice", "customer", { "last-event-id": "5" })).body)).toEqual([[6, "DELIVERED"]]);
  });

  it("hides someone else's order as 404 (an admin sees any), and passes a missing one on as 404", async () => {
    app = testApp(fakeUpstreams({ order: { watchOrder: watching([state(2, DELIVERED, "bob")]).watchOrder } }));
    expectProblem(await get("alice"), 404, "ORDER_NOT_FOUND");
    expect((await get("boss", "admin")).statusCode).toBe(200);
    await app.close();
    const missing = () => {
      throw new RemoteError("not_found", "ORDER_NOT_FOUND", "order x not found", status.NOT_FOUND);
    };
    app = testApp(fakeUpstreams({ order: { watchOrder: () => ({ [Symbol.asyncIterator]: missing }) } }));
    expectProblem(await get("alice"), 404, "ORDER_NOT_FOUND");
  });

  it("is for customers and admins only", async () => {
    app = testApp(fakeUpstreams());
    expectProblem(await get("rider-1", "rider"), 403, "FORBIDDEN");
    expectProblem(await app.inject({ method: "GET", url: URL_OF }), 401, "UNAUTHENTICATED");
  });

  it("ends the stream when it is cut upstream: the client comes back with Last-Event-ID", async () => {
    app = testApp(
      fakeUpstreams({ order: { watchOrder: watching([state(1, PENDING)], { failAfter: true }).watchOrder } }),
    );
    const res = await get("alice");
    expect(res.statusCode).toBe(200);
    expect(events(res.body)).toEqual([[1, "PENDING"]]);
  });

  it("answers 503 when the order service sends no state in time", async () => {
    app = testApp(fakeUpstreams({ order: { watchOrder: watching([], { hold: true }).watchOrder } }), {
      ORDER_WAIT_MS: "10",
      UPSTREAM_TIMEOUT_MS: "100",
    });
    expectProblem(await get("alice"), 503, "DEADLINE_EXCEEDED");
  });

  describe("over a real connection", () => {
    const listen = async (w: ReturnType<typeof watching>, env: NodeJS.ProcessEnv = {}) => {
      app = testApp(fakeUpstreams({ order: { watchOrder: w.watchOrder } }), env);
      return app.listen({ host: "127.0.0.1", port: 0 });
    };
    const open = async (base: string, who = "alice", role: Role = "customer") => {
      const client = new AbortController();
      const res = await fetch(`${base}${URL_OF}`, {
        headers: { authorization: await bearer(who, role) },
        signal: client.signal,
      });
      return { res, leave: () => client.abort() };
    };
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(done()).toBe(true);
    };

    it("caps open streams per caller with 429 TOO_MANY_STREAMS, and frees the slot (and the upstream) when a client leaves", async () => {
      const w = watching([state(1, PENDING)], { hold: true });
      const base = await listen(w, { ORDER_EVENT_STREAMS_PER_CALLER: "2" });
      const first = await open(base);
      await open(base);
      expect(first.res.status).toBe(200);
      const third = await open(base);
      expect(third.res.status).toBe(429);
      expect(await third.res.json()).toMatchObject({ status: 429, code: "TOO_MANY_STREAMS" });
      expect((await open(base, "boss", "admin")).res.status).toBe(200); // another caller's streams are their own
      first.leave();
      await until(() => w.calls[0]?.signal?.aborted === true);
      expect((await open(base)).res.status).toBe(200);
    });

    it("ends open streams when the gateway closes, instead of waiting for them", async () => {
      const w = watching([state(1, PENDING)], { hold: true });
      const base = await listen(w);
      const { res } = await open(base);
      const body = res.text();
      const started = Date.now();
      await app.close();
      expect(events(await body)).toEqual([[1, "PENDING"]]);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(w.calls[0]?.signal?.aborted).toBe(true);
    });
  });
});
