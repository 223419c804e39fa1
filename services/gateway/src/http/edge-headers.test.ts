import { afterEach, describe, expect, it, vi } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { expectProblem, testApp } from "../testing/test-app";

/** helmet itself, counting how often its middleware is built. */
const helmetBuilt = vi.hoisted(() => ({ count: 0 }));
vi.mock("helmet", async (importOriginal) => {
  const actual = (await importOriginal<{ default: (...args: unknown[]) => unknown }>()).default;
  return {
    default: (...args: unknown[]) => {
      helmetBuilt.count++;
      return actual(...args);
    },
  };
});

let app: GatewayApp;
afterEach(() => app.close());

const DEV_WEB_APP = "http://localhost:5173";

const preflight = (origin: string, url = "/v1/orders") =>
  app.inject({
    method: "OPTIONS",
    url,
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type, idempotency-key",
    },
  });

describe("security headers (helmet)", () => {
  it("are on every answer, a strict policy for a JSON API", async () => {
    app = testApp(fakeUpstreams());
    for (const res of [
      await app.inject({ method: "GET", url: "/healthz" }),
      await app.inject({ method: "GET", url: "/v1/nothing" }),
    ]) {
      expect(res.headers).toMatchObject({
        "content-security-policy": "default-src 'none';frame-ancestors 'none'",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "strict-transport-security": expect.stringMatching(/^max-age=\d+/) as unknown,
        "cross-origin-opener-policy": "same-origin",
      });
    }
  });

  it("are built once, not for every request (building them parses the policy again: a tenth of an empty request's time)", async () => {
    helmetBuilt.count = 0;
    app = testApp(fakeUpstreams());
    await app.ready();
    for (let i = 0; i < 3; i++)
      expect((await app.inject({ method: "GET", url: "/healthz" })).headers["x-frame-options"]).toBe("DENY");
    expect(helmetBuilt.count).toBe(1);
  });

  it("are given to the reply, not set on the raw response: one header set there sends every other through Node's slow path", async () => {
    app = testApp(fakeUpstreams());
    let rawHeaders: string[] = [];
    app.addHook("preHandler", (_request, reply, done) => {
      rawHeaders = reply.raw.getHeaderNames();
      done();
    });
    const res = await app.inject({ method: "GET", url: "/healthz" });
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(rawHeaders).toEqual([]);
  });

  it("leave the Swagger UI at /docs working: its page, scripts and styles allowed, its document served", async () => {
    app = testApp(fakeUpstreams());
    const page = await app.inject({ method: "GET", url: "/docs" });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/style-src 'self'/);
    // Plain-HTTP development would have every asset upgraded to an https:// that does not exist.
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect((await app.inject({ method: "GET", url: "/docs/static/swagger-ui-bundle.js" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/docs/json" })).statusCode).toBe(200);
  });
});

describe("/docs", () => {
  it.each([
    [{}, 200],
    [{ DOCS_ENABLED: "false" }, 404],
    [{ NODE_ENV: "production" }, 404],
    [{ NODE_ENV: "production", DOCS_ENABLED: "true" }, 200],
  ])("with %j answers %i", async (env, status) => {
    app = testApp(fakeUpstreams(), env);
    for (const url of ["/docs", "/docs/json", "/docs/static/swagger-initializer.js"]) {
      const res = await app.inject({ method: "GET", url });
      if (status === 404) expectProblem(res, 404, "NOT_FOUND");
      else expect(res.statusCode, url).toBe(200);
    }
  });
});

describe("CORS", () => {
  it("answers a preflight from the dev web app 204 (not 404), allowing its method and headers", async () => {
    app = testApp(fakeUpstreams());
    const res = await preflight(DEV_WEB_APP);
    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe(DEV_WEB_APP);
    expect(String(res.headers["access-control-allow-methods"])).toMatch(/POST/);
    expect(String(res.headers["access-control-allow-headers"]).toLowerCase()).toMatch(/idempotency-key/);
  });

  it("lets the web app resume an order's event stream: Last-Event-ID may be sent", async () => {
    app = testApp(fakeUpstreams());
    const res = await app.inject({
      method: "OPTIONS",
      url: "/v1/orders/ord-1/events",
      headers: {
        origin: DEV_WEB_APP,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization, last-event-id",
      },
    });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers["access-control-allow-headers"]).toLowerCase()).toMatch(/last-event-id/);
  });

  it("lets the allowed origin read answers and the headers clients need", async () => {
    app = testApp(fakeUpstreams({ inventory: { listProducts: async () => ({ products: [], nextPageToken: "" }) } }));
    const res = await app.inject({ method: "GET", url: "/v1/products", headers: { origin: DEV_WEB_APP } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe(DEV_WEB_APP);
    expect(String(res.headers["access-control-expose-headers"]).toLowerCase()).toMatch(
      /x-trace-id.*retry-after|retry-after.*x-trace-id/,
    );
  });

  it("allows no other origin", async () => {
    app = testApp(fakeUpstreams());
    const res = await preflight("https://evil.example");
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("takes its origins from CORS_ORIGINS", async () => {
    app = testApp(fakeUpstreams(), { CORS_ORIGINS: "https://shop.example, https://admin.shop.example" });
    expect((await preflight("https://admin.shop.example")).headers["access-control-allow-origin"]).toBe(
      "https://admin.shop.example",
    );
    expect((await preflight(DEV_WEB_APP)).headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("allows no origin by default in production, and still answers a preflight 204", async () => {
    app = testApp(fakeUpstreams(), { NODE_ENV: "production" });
    const res = await preflight(DEV_WEB_APP);
    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("refuses an origin that is not one at start", () => {
    expect(() => testApp(fakeUpstreams(), { CORS_ORIGINS: "https://shop.example/path" })).toThrow(/CORS_ORIGINS/);
  });
});
