/**
 * Sign-in with OpenID Connect in a real browser: an identity provider of the test's own on loopback
 * (oidc-provider, with its development login and consent pages) issues JWT access tokens for the
 * API (resource indicator, RS256, with a `role` claim); the gateway verifies them against the
 * provider's keys (JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE) and tells the app where to sign in
 * (OIDC_ISSUER, OIDC_CLIENT_ID: GET /v1/auth/config). The user signs in there, the app exchanges the
 * code with its PKCE verifier, and the app's calls with that token succeed.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWebApp, expectAccessible, launchBrowser, type Browser } from "../support/browser";
import { startE2E, type E2E } from "../support/e2e-stack";

const CLIENT_ID = "qc-web";
/** The API's audience: the resource the app asks a token for (RFC 8707 wants an absolute URI). */
const API = "urn:qc:api";
/** Who is who at the provider: any login works (its development pages); this one is a customer. */
const CUSTOMER = "carol";

let idp: Server;
let issuer: string;
let e2e: E2E;
let web: ReturnType<typeof buildWebApp>;
let browser: Browser;
let page: Page;
/** What the provider saw of the token requests: their PKCE verifier and resource. */
const tokenRequests: { codeVerifier: string | null; resource: string | null }[] = [];

/** The provider, once the app's address (its redirect URI) is known. */
function provider(appUrl: string): Provider {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), alg: "RS256", use: "sig", kid: "test-key" };
  return new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: "none",
        redirect_uris: [`${appUrl}/signin/callback`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    // The gateway's authorization reads `role` from the access token.
    extraTokenClaims: async (_ctx, token) => ({
      role: "accountId" in token && token.accountId === CUSTOMER ? "customer" : "rider",
    }),
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => API,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== API) throw new Error(`unknown resource ${resource}`);
          return {
            scope: "api",
            audience: API,
            accessTokenFormat: "jwt",
            accessTokenTTL: 600,
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
  });
}

beforeAll(async () => {
  web = buildWebApp();
  // The provider's address first (the gateway's configuration names it), its handler once the app's is known.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  idp = createServer((req, res) => {
    if (req.method === "POST" && req.url?.startsWith("/token")) {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        tokenRequests.push({ codeVerifier: form.get("code_verifier"), resource: form.get("resource") });
      });
    }
    if (handle) handle(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  e2e = await startE2E({
    serviceEnv: {
      gateway: {
        WEB_ROOT: web.root,
        JWT_JWKS_URL: `${issuer}/jwks`,
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: API,
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_SCOPE: "openid api",
        OIDC_RESOURCE: API,
      },
    },
  });
  const callback = provider(e2e.stack.gatewayUrl).callback();
  handle = (req, res) => void callback(req, res);
  browser = await launchBrowser();
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
  await new Promise((resolve) => idp?.close(resolve));
  web?.remove();
});

describe("sign-in with OpenID Connect (Authorization Code + PKCE)", () => {
  it("signs in at the provider, exchanges the code with PKCE, and calls the API with the provider's token", async () => {
    const base = e2e.stack.gatewayUrl;
    await page.goto(`${base}/signin?next=${encodeURIComponent("/orders")}`);
    await expectAccessible(page, "sign-in (with a provider)");
    const authRequest = page.waitForRequest((req) => req.url().startsWith(`${issuer}/auth?`));
    await page.getByRole("button", { name: `Sign in with 127.0.0.1:${new URL(issuer).port}` }).click();
    const authorize = new URL((await authRequest).url());

    // The provider's own pages (its development login and consent).
    await page.locator('input[name="login"]').fill(CUSTOMER);
    await page.locator('input[name="password"]').fill("any");
    await page.locator('button[type="submit"]').click();
    await page.getByRole("button", { name: "Continue" }).click();

    // Back in the app: the code exchanged, the session is the provider's token, and the API accepts it.
    const myOrders = page.waitForResponse(
      (res) => new URL(res.url()).pathname === "/v1/orders" && res.request().method() === "GET",
    );
    await page.waitForURL(`${base}/orders`);
    await page.getByTestId("who").filter({ hasText: CUSTOMER }).waitFor();
    const answer = await myOrders;
    expect(answer.status()).toBe(200);
    expect(await answer.json()).toEqual({ items: [], nextCursor: null });
    const sent = await answer.request().headerValue("authorization");
    const [, payload] = (sent ?? "").replace(/^Bearer /, "").split(".");
    expect(JSON.parse(Buffer.from(payload ?? "", "base64url").toString())).toMatchObject({
      iss: issuer,
      aud: API,
      sub: CUSTOMER,
      role: "customer",
    });

    // The authorization request carried a S256 challenge, and the token request its verifier.
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]?.codeVerifier).toMatch(/^[\w-]{43,128}$/);
    expect(tokenRequests[0]?.resource).toBe(API);
    expect(browser.pageErrors).toEqual([]);
  });

  it("refuses a token the provider did not sign", async () => {
    const forged = `${Buffer.from(JSON.stringify({ alg: "RS256", kid: "test-key" })).toString("base64url")}.${Buffer.from(
      JSON.stringify({ iss: issuer, aud: API, sub: CUSTOMER, role: "admin", exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString("base64url")}.c2lnbmF0dXJl`;
    expect((await e2e.api("GET", "/v1/orders", { token: forged })).status).toBe(401);
  });
});
