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

  it("is ready when every upstream channel is", async () => {
    app = testApp(fakeUpstreams());
    expect((await app.inject({ method: "GET", url: "/readyz" })).json()).toEqual({ status: "ok" });
  });

  it("answers 503 naming the upstreams that are down", async () => {
    app = testApp(fakeUpstreams({}, { down: ["order", "payment"] }));
    const res = await app.inject({ method: "GET", url: "/readyz" });
    expect(expectProblem(res, 503, "NOT_READY").unavailable).toEqual(["order", "payment"]);
    expect(res.headers["retry-after"]).toBe("1");
  });

  it("is not ready while the rider service is down", async () => {
    app = testApp(fakeUpstreams({}, { down: ["rider"] }));
    expect(expectProblem(await app.inject({ method: "GET", url: "/readyz" }), 503, "NOT_READY").unavailable).toEqual(["rider"]);
  });
});
