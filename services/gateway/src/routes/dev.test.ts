import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { expectProblem, testApp } from "../testing/test-app";

let app: GatewayApp;
afterEach(() => app.close());

const signIn = (payload: object) => app.inject({ method: "POST", url: "/v1/dev/token", payload });

describe("POST /v1/dev/token", () => {
  it("is no route at all without DEV_LOGIN", async () => {
    app = testApp(fakeUpstreams());
    expectProblem(await signIn({ subject: "alice", role: "customer" }), 404, "NOT_FOUND");
    await app.close();
    app = testApp(fakeUpstreams(), { DEV_LOGIN: "false" });
    expectProblem(await signIn({ subject: "alice", role: "customer" }), 404, "NOT_FOUND");
  });

  it("with DEV_LOGIN, signs a token the gateway itself accepts for that subject and role", async () => {
    const asked: string[] = [];
    app = testApp(
      fakeUpstreams({
        order: { listOrders: async (req) => (asked.push(req.customerId), { orders: [], nextPageToken: "" }) },
      }),
      { DEV_LOGIN: "true" },
    );
    const res = await signIn({ subject: "bob", role: "customer" });
    expect(res.statusCode).toBe(200);
    const { token } = res.json<{ token: string }>();
    const mine = await app.inject({ method: "GET", url: "/v1/orders", headers: { authorization: `Bearer ${token}` } });
    expect(mine.statusCode).toBe(200);
    expect(asked).toEqual(["bob"]);
    // The role is the one asked for: a rider's token is no customer's.
    const rider = (await signIn({ subject: "rider-1", role: "rider" })).json<{ token: string }>().token;
    expectProblem(
      await app.inject({ method: "GET", url: "/v1/orders", headers: { authorization: `Bearer ${rider}` } }),
      403,
      "FORBIDDEN",
    );
  });

  it.each([
    ["an unknown role", { subject: "alice", role: "root" }],
    ["a subject the verifier would refuse", { subject: "-alice", role: "customer" }],
    ["no subject", { role: "admin" }],
    ["an unknown field", { subject: "alice", role: "customer", exp: 1 }],
  ])("refuses %s with 400", async (_, payload) => {
    app = testApp(fakeUpstreams(), { DEV_LOGIN: "true" });
    expectProblem(await signIn(payload), 400, "VALIDATION_FAILED");
  });
});
