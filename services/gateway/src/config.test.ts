import { describe, expect, it } from "vitest";
import { loadGatewayConfig, oidcClientOptions } from "./config";

const load = (env: NodeJS.ProcessEnv) => () => loadGatewayConfig({ LOG_LEVEL: "silent", ...env });

describe("gateway configuration: token verification", () => {
  it("requires an HS256 secret of at least 32 bytes", () => {
    expect(load({ JWT_SECRET: "0123456789abcdef" })).toThrow(/JWT_SECRET: must be at least 32 bytes/);
    expect(load({ JWT_SECRET: "0123456789abcdef0123456789abcdef" })).not.toThrow();
  });

  it("requires a secret or a JWKS URL", () => {
    expect(load({})).toThrow(/JWT_SECRET/);
  });

  it("takes a JWKS URL with its issuer and audience", () => {
    const c = loadGatewayConfig({
      JWT_JWKS_URL: "https://idp.test/jwks.json",
      JWT_ISSUER: "https://idp.test/",
      JWT_AUDIENCE: "qc",
    });
    expect(c).toMatchObject({
      JWT_JWKS_URL: "https://idp.test/jwks.json",
      JWT_ISSUER: "https://idp.test/",
      JWT_AUDIENCE: "qc",
      JWT_CLOCK_TOLERANCE_S: 30,
    });
    expect(load({ JWT_JWKS_URL: "https://idp.test/jwks.json" })).toThrow(/JWT_ISSUER/);
    expect(load({ JWT_JWKS_URL: "https://idp.test/jwks.json", JWT_ISSUER: "https://idp.test/" })).toThrow(
      /JWT_AUDIENCE/,
    );
    expect(load({ JWT_JWKS_URL: "not a url", JWT_ISSUER: "i", JWT_AUDIENCE: "a" })).toThrow(/JWT_JWKS_URL/);
  });
});

describe("gateway configuration: dev login", () => {
  const secret = { JWT_SECRET: "0123456789abcdef0123456789abcdef" };

  it("is off by default and on when asked outside production", () => {
    expect(loadGatewayConfig({ ...secret }).DEV_LOGIN).toBe(false);
    expect(loadGatewayConfig({ ...secret, DEV_LOGIN: "true" }).DEV_LOGIN).toBe(true);
  });

  it("refuses DEV_LOGIN=true in production, whatever else is set", () => {
    expect(load({ ...secret, DEV_LOGIN: "true", NODE_ENV: "production" })).toThrow(
      /DEV_LOGIN: must not be true with NODE_ENV=production/,
    );
    expect(load({ ...secret, DEV_LOGIN: "false", NODE_ENV: "production" })).not.toThrow();
  });

  it("needs the HS256 secret its tokens are signed with", () => {
    const idp = { JWT_JWKS_URL: "https://idp.test/jwks.json", JWT_ISSUER: "i", JWT_AUDIENCE: "a" };
    expect(load({ ...idp, DEV_LOGIN: "true" })).toThrow(/DEV_LOGIN: needs JWT_SECRET/);
  });
});

describe("gateway configuration: OpenID Connect sign-in for the web app", () => {
  const idp = { JWT_JWKS_URL: "https://idp.test/jwks.json", JWT_ISSUER: "https://idp.test", JWT_AUDIENCE: "qc-api" };

  it("is off by default", () => {
    expect(oidcClientOptions(loadGatewayConfig({ JWT_SECRET: "0123456789abcdef0123456789abcdef" }))).toBeNull();
  });

  it("tells the issuer, the client id, the scopes (openid by default) and the resource when asked", () => {
    expect(
      oidcClientOptions(loadGatewayConfig({ ...idp, OIDC_ISSUER: "https://idp.test", OIDC_CLIENT_ID: "qc-web" })),
    ).toEqual({
      issuer: "https://idp.test",
      clientId: "qc-web",
      scope: "openid",
    });
    const withResource = loadGatewayConfig({
      ...idp,
      OIDC_ISSUER: "https://idp.test",
      OIDC_CLIENT_ID: "qc-web",
      OIDC_SCOPE: "openid api",
      OIDC_RESOURCE: "qc-api",
    });
    expect(oidcClientOptions(withResource)).toEqual({
      issuer: "https://idp.test",
      clientId: "qc-web",
      scope: "openid api",
      resource: "qc-api",
    });
  });

  it("needs a client id, and the provider's keys to verify its tokens", () => {
    expect(load({ ...idp, OIDC_ISSUER: "https://idp.test" })).toThrow(/OIDC_CLIENT_ID: is required with OIDC_ISSUER/);
    expect(
      load({
        JWT_SECRET: "0123456789abcdef0123456789abcdef",
        OIDC_ISSUER: "https://idp.test",
        OIDC_CLIENT_ID: "qc-web",
      }),
    ).toThrow(/JWT_JWKS_URL: is required with OIDC_ISSUER/);
    expect(load({ ...idp, OIDC_ISSUER: "not a url", OIDC_CLIENT_ID: "qc-web" })).toThrow(/OIDC_ISSUER/);
  });
});
