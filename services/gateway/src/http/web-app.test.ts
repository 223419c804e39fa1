import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { expectProblem, testApp } from "../testing/test-app";
import { WEB_APP_CSP, webAppOptions } from "./web-app";

const INDEX =
  '<!doctype html><html lang="en"><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

let root: string;
let app: GatewayApp;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "qc-web-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), INDEX);
  writeFileSync(join(root, "assets", "index-abc123.js"), "console.log('app');\n");
  writeFileSync(join(root, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => app.close());

describe("the web app served by the gateway", () => {
  it("answers index.html at / and at any page of the app, revalidated on every load, with the page's own policy", async () => {
    app = testApp(fakeUpstreams(), { WEB_ROOT: root });
    for (const url of ["/", "/orders/abc", "/console?tab=breakers", "/rider"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.body).toBe(INDEX);
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.headers["content-security-policy"]).toBe(WEB_APP_CSP);
      // Helmet's other headers stay.
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
  });

  it("lets the page call the OpenID Connect provider's origin too when one is configured, and tells the app about it", async () => {
    const idp = {
      JWT_JWKS_URL: "https://idp.test:8443/jwks.json",
      JWT_ISSUER: "https://idp.test:8443/realm",
      JWT_AUDIENCE: "qc-api",
    };
    app = testApp(fakeUpstreams(), {
      WEB_ROOT: root,
      ...idp,
      OIDC_ISSUER: "https://idp.test:8443/realm",
      OIDC_CLIENT_ID: "qc-web",
    });
    const page = await app.inject({ method: "GET", url: "/" });
    expect(page.headers["content-security-policy"]).toBe(
      WEB_APP_CSP.replace("connect-src 'self'", "connect-src 'self' https://idp.test:8443"),
    );
    const config = await app.inject({ method: "GET", url: "/v1/auth/config" });
    expect(config.json()).toEqual({
      oidc: { issuer: "https://idp.test:8443/realm", clientId: "qc-web", scope: "openid" },
    });
  });

  it("tells the app there is no OpenID Connect provider when none is configured", async () => {
    app = testApp(fakeUpstreams(), { WEB_ROOT: root });
    const config = await app.inject({ method: "GET", url: "/v1/auth/config" });
    expect({ status: config.statusCode, body: config.json<unknown>() }).toEqual({ status: 200, body: { oidc: null } });
  });

  it("serves hashed assets for a year, immutable", async () => {
    app = testApp(fakeUpstreams(), { WEB_ROOT: root });
    const res = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const other = await app.inject({ method: "GET", url: "/favicon.svg" });
    expect(other.statusCode).toBe(200);
    expect(other.headers["cache-control"]).toBe("no-cache");
  });

  it("keeps the API's answers: unknown /v1 paths, missing assets and files are 404 problems, health and docs answer", async () => {
    app = testApp(fakeUpstreams(), { WEB_ROOT: root });
    expectProblem(await app.inject({ method: "GET", url: "/v1/nothing-here" }), 404, "NOT_FOUND");
    expectProblem(await app.inject({ method: "GET", url: "/v1" }), 404, "NOT_FOUND");
    expectProblem(await app.inject({ method: "GET", url: "/assets/gone-123.js" }), 404, "NOT_FOUND");
    expectProblem(await app.inject({ method: "GET", url: "/missing.png" }), 404, "NOT_FOUND");
    expectProblem(await app.inject({ method: "POST", url: "/orders" }), 404, "NOT_FOUND");
    const health = await app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(200);
    expect(health.headers["content-type"]).toMatch(/^application\/json/);
    // The API keeps its allow-nothing policy.
    expect(health.headers["content-security-policy"]).toMatch(/default-src 'none'/);
    const docs = await app.inject({ method: "GET", url: "/docs/json" });
    expect(docs.statusCode).toBe(200);
    expect(
      Object.keys(docs.json<{ paths: Record<string, unknown> }>().paths).every(
        (p) => p.startsWith("/v1/") || p === "/healthz" || p === "/readyz",
      ),
    ).toBe(true);
  });

  it("answers odd paths with the page or a problem, never a file outside the build or a 5xx", async () => {
    app = testApp(fakeUpstreams(), { WEB_ROOT: root });
    for (const url of [
      "/..%2f..%2fetc%2fpasswd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/orders/%00",
      "/%ZZ",
      "/a/b/c/d/e",
      "/index.html/x",
      "/assets/../index.html",
    ]) {
      for (const method of ["GET", "HEAD"] as const) {
        const res = await app.inject({ method, url });
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
        expect(res.body).not.toMatch(/root:/);
        if (res.statusCode >= 400) expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
        else expect(res.headers["content-type"]).toMatch(/^text\/html/);
      }
    }
  });

  it("refuses a WEB_ROOT without a build, naming the variable", () => {
    expect(() => webAppOptions(join(root, "nothing"))).toThrow(/WEB_ROOT/);
  });
});
