import { afterEach, describe, expect, it, vi } from "vitest";
import { watchOrder } from "./order-events";
import { anEntry, anOrder } from "../testing/fixtures";
import type { Order } from "./types";

afterEach(() => vi.unstubAllGlobals());

const withCodes = (status: Order["status"], codes: string[]): Order =>
  anOrder(status, { history: codes.map((code) => anEntry("s", "done", code)) });

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": status < 400 ? "application/json" : "application/problem+json" },
  });

describe("watchOrder", () => {
  it("polls GET /v1/orders/{id} when the gateway has no event stream, until the order is final", async () => {
    const answers = [
      withCodes("PENDING", ["ORDER_CREATED"]),
      withCodes("PENDING", ["ORDER_CREATED", "STOCK_RESERVED"]),
      withCodes("DELIVERED", ["ORDER_CREATED"]),
    ];
    const urls: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        urls.push(url);
        if (url.endsWith("/events")) return json({ status: 404, code: "NOT_FOUND" }, 404);
        return json(answers.shift() ?? withCodes("DELIVERED", []));
      }),
    );
    const seen: string[] = [];
    await watchOrder("o-1", {
      token: "t",
      signal: new AbortController().signal,
      onOrder: (o) => seen.push(`${o.status}:${o.history.length}`),
      onError: () => undefined,
      pollMs: 1,
      maxPollMs: 2,
    });
    expect(seen).toEqual(["PENDING:1", "PENDING:2", "DELIVERED:1"]);
    // The stream was tried once: a 404 means this gateway has none.
    expect(urls.filter((u) => u.endsWith("/events"))).toHaveLength(1);
  });

  it("follows the event stream, taking each event's order", async () => {
    const pending = withCodes("PENDING", ["ORDER_CREATED"]);
    const reserved = withCodes("PENDING", ["ORDER_CREATED", "STOCK_RESERVED"]);
    const failed = withCodes("FAILED", ["ORDER_CREATED", "OUT_OF_STOCK"]);
    const sse = `: hello\n\nid: 1\nevent: order\ndata: ${JSON.stringify(reserved)}\n\nid: 2\ndata: ${JSON.stringify(failed)}\n\n`;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        if (url.endsWith("/events")) return new Response(sse, { headers: { "content-type": "text/event-stream" } });
        return json(pending);
      }),
    );
    const seen: string[] = [];
    await watchOrder("o-1", {
      token: "t",
      signal: new AbortController().signal,
      onOrder: (o) => seen.push(`${o.status}:${o.history.length}`),
      onError: () => undefined,
    });
    expect(seen).toEqual(["PENDING:1", "PENDING:2", "FAILED:2"]);
  });
});
