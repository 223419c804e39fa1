import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { expectProblem, testApp } from "../testing/test-app";

let app: GatewayApp;
afterEach(() => app.close());

describe("health", () => {
  it("is live whatever the upstreams do", async () => {
    app = testApp(fakeUpstreams({}, { down: ["order", "inventory", "payment", "rider"] }));
    const res = await app.inject({ method: "GET", url: "/healthz" });
    expect({ status: res.statusCode, body: res.json<unknown>() }).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("is ready when every upstream answers its health check SERVING", async () => {
    app = testApp(fakeUpstreams());
    expect((await app.inject({ method: "GET", url: "/readyz" })).json()).toEqual({ status: "ok" });
  });

  it("answers 503 naming the upstreams that are down", async () => {
    app = testApp(fakeUpstreams({}, { down: ["order", "payment"] }));
    const res = await app.inject({ method: "GET", url: "/readyz" });
    expect(expectProblem(res, 503, "NOT_READY").unavailable).toEqual(["order", "payment"]);
    expect(res.headers["retry-after"]).toBe("1");
  });

  it("is not ready while an upstream is reachable but NOT_SERVING (its database is down)", async () => {
    app = testApp(fakeUpstreams({}, { notServing: ["inventory"] }));
    const res = await app.inject({ method: "GET", url: "/readyz" });
    const problem = expectProblem(res, 503, "NOT_READY");
    expect(problem.unavailable).toEqual(["inventory"]);
    expect(problem.detail).toMatch(/inventory \(NOT_SERVING\)/);
  });

  it("names why each upstream is unavailable", async () => {
    app = testApp(fakeUpstreams({}, { down: ["order"], notServing: ["payment"] }));
    const problem = expectProblem(await app.inject({ method: "GET", url: "/readyz" }), 503, "NOT_READY");
    expect(problem.unavailable).toEqual(["order", "payment"]);
    expect(problem.detail).toBe("unavailable upstreams: order (UNREACHABLE), payment (NOT_SERVING)");
  });

  it("answers 503 to every request, /readyz included, once the gateway is closing", async () => {
    app = testApp(fakeUpstreams());
    const closing = app.close();
    const res = await app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(503);
    await closing;
  });

  it("is not ready while the rider service is down", async () => {
    app = testApp(fakeUpstreams({}, { down: ["rider"] }));
    expect(expectProblem(await app.inject({ method: "GET", url: "/readyz" }), 503, "NOT_READY").unavailable).toEqual([
      "rider",
    ]);
  });
});
