import { randomUUID } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { bearer, expectProblem, testApp } from "../testing/test-app";

const upstreams = () =>
  fakeUpstreams({
    order: { listOrders: async () => ({ orders: [], nextPageToken: "" }) },
    inventory: { listProducts: async () => ({ products: [], nextPageToken: "" }) },
  });
const limits = {
  RATE_LIMIT_PER_PRINCIPAL: "3",
  RATE_LIMIT_PER_ADDRESS: "2",
  RATE_LIMIT_AUTH_FAILURES: "5",
  RATE_LIMIT_WINDOW_MS: "60000",
};

const apps: GatewayApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
const start = (env: NodeJS.ProcessEnv = {}): GatewayApp => {
  const app = testApp(upstreams(), { ...limits, ...env });
  apps.push(app);
  return app;
};

const myOrders = (app: GatewayApp, authorization: string, remoteAddress = "10.0.0.1") =>
  app.inject({ method: "GET", url: "/v1/orders", headers: { authorization }, remoteAddress });
const catalog = (app: GatewayApp, remoteAddress: string) =>
  app.inject({ method: "GET", url: "/v1/products", remoteAddress });

function expectRateLimited(res: LightMyRequestResponse, policy: string): void {
  expectProblem(res, 429, "RATE_LIMITED");
  expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
  expect(res.headers.ratelimit).toMatch(new RegExp(`^"${policy}";r=0;t=\\d+$`));
  expect(res.headers["ratelimit-policy"]).toMatch(new RegExp(`^"${policy}";q=\\d+;w=\\d+$`));
}

describe("rate limits", () => {
  it("counts a caller with a valid token by principal: the fourth request of three is 429, another customer is unaffected", async () => {
    const app = start();
    const alice = await bearer("alice", "customer");
    const answers = [];
    // From changing addresses: the budget follows the token, not the address.
    for (let i = 0; i < 4; i++) answers.push(await myOrders(app, alice, `10.0.0.${i + 1}`));
    expect(answers.slice(0, 3).map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(answers[0]?.headers["ratelimit-policy"]).toBe('"principal";q=3;w=60');
    expect(answers[0]?.headers.ratelimit).toMatch(/^"principal";r=2;t=\d+$/);
    expectRateLimited(answers[3]!, "principal");
    expect((await myOrders(app, await bearer("bob", "customer"))).statusCode).toBe(200);
  });

  it("counts a request without a token by client address", async () => {
    const app = start();
    expect((await catalog(app, "10.0.0.1")).statusCode).toBe(200);
    expect((await catalog(app, "10.0.0.1")).statusCode).toBe(200);
    expectRateLimited(await catalog(app, "10.0.0.1"), "address");
    expect((await catalog(app, "10.0.0.2")).statusCode).toBe(200);
  });

  it("gives failed authentication a much stricter budget of its own: forged tokens get 429 after 5, a valid token still passes", async () => {
    const app = start({ RATE_LIMIT_PER_PRINCIPAL: "1000", RATE_LIMIT_PER_ADDRESS: "1000" });
    const forged = await bearer("alice", "admin", "not-the-secret-but-also-32-bytes-long");
    const statuses: number[] = [];
    let last: LightMyRequestResponse | undefined;
    for (let i = 0; i < 60; i++) {
      last = await myOrders(app, forged);
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    expectRateLimited(last!, "auth-failures");
    expect((await myOrders(app, "Bearer not-a-jwt")).statusCode).toBe(429);
    expect((await myOrders(app, await bearer("alice", "customer"))).statusCode).toBe(200);
    expect((await myOrders(app, forged, "10.0.0.9")).statusCode).toBe(401);
  });

  it("never limits health, readiness and the docs", async () => {
    const app = start({ RATE_LIMIT_PER_ADDRESS: "1" });
    for (const url of ["/healthz", "/readyz", "/docs/json"]) {
      for (let i = 0; i < 5; i++) {
        const res = await app.inject({ method: "GET", url, remoteAddress: "10.0.0.1" });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers.ratelimit, url).toBeUndefined();
      }
    }
  });

  it("is off with RATE_LIMIT=false", async () => {
    const app = start({ RATE_LIMIT: "false" });
    for (let i = 0; i < 5; i++) expect((await catalog(app, "10.0.0.1")).statusCode).toBe(200);
  });

  it("lets requests through when Redis cannot answer (a limit store outage is no outage of the API)", async () => {
    const app = start({ REDIS_URL: "redis://127.0.0.1:1", REDIS_TIMEOUT_MS: "100" });
    for (let i = 0; i < 4; i++) expect((await catalog(app, "10.0.0.1")).statusCode).toBe(200);
  });
});

describe("rate limits in Redis (127.0.0.1:6379)", () => {
  it("are one budget for every gateway replica", async () => {
    const env = { REDIS_URL: "redis://127.0.0.1:6379", REDIS_KEY_PREFIX: `test-${randomUUID()}:` };
    const [a, b] = [start(env), start(env)];
    await Promise.all([a.ready(), b.ready()]);
    const alice = await bearer("alice", "customer");
    expect((await myOrders(a, alice)).statusCode).toBe(200);
    expect((await myOrders(b, alice)).statusCode).toBe(200);
    expect((await myOrders(a, alice)).headers.ratelimit).toMatch(/^"principal";r=0;t=\d+$/);
    expectRateLimited(await myOrders(b, alice), "principal");
    expectRateLimited(await myOrders(a, alice), "principal");
  });
});
