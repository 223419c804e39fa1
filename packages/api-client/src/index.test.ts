import { describe, expect, it } from "vitest";
import { createApiClient, type Schema } from "./index";

/** A fetch that answers `body` and records what it was asked. */
function fakeFetch(status: number, body: unknown, contentType = "application/json") {
  const asked: Request[] = [];
  const fetch = async (request: Request) => {
    asked.push(request);
    return new Response(JSON.stringify(body), { status, headers: { "content-type": contentType } });
  };
  return { fetch, asked };
}

describe("the typed API client", () => {
  it("sends the current token and typed parameters, and answers typed data", async () => {
    const order = {
      id: "o-1",
      customerId: "alice",
      status: "CONFIRMED",
      items: [],
      totalCents: 0,
      currency: "EUR",
      createdAt: "t",
      updatedAt: "t",
      history: [],
    } satisfies Schema<"Order">;
    const f = fakeFetch(200, { items: [order], nextCursor: null });
    let token = "first";
    const client = createApiClient({ baseUrl: "http://gateway.test", token: () => token, fetch: f.fetch });
    const { data } = await client.GET("/v1/orders", { params: { query: { limit: 5 } } });
    expect(data?.items[0]?.status).toBe("CONFIRMED");
    token = "second";
    await client.GET("/v1/orders/{id}", { params: { path: { id: "o-1" } } });
    expect(f.asked.map((r) => [r.url, r.headers.get("authorization")])).toEqual([
      ["http://gateway.test/v1/orders?limit=5", "Bearer first"],
      ["http://gateway.test/v1/orders/o-1", "Bearer second"],
    ]);
  });

  it("answers a problem as the error", async () => {
    const problem = {
      type: "urn:qc:problem:order-not-found",
      title: "Not Found",
      status: 404,
      code: "ORDER_NOT_FOUND",
      detail: "order x not found",
    } satisfies Schema<"Problem">;
    const f = fakeFetch(404, problem, "application/problem+json");
    const client = createApiClient({ baseUrl: "http://gateway.test", fetch: f.fetch });
    const { data, error } = await client.GET("/v1/orders/{id}", { params: { path: { id: "x" } } });
    expect(data).toBeUndefined();
    expect(error?.code).toBe("ORDER_NOT_FOUND");
    expect(f.asked[0]?.headers.get("authorization")).toBeNull();
  });
});
