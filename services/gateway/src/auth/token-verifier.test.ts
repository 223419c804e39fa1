import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idpToken, JwksServer, signingKey, type SigningKey } from "../testing/jwks-server";
import { TEST_SECRET } from "../testing/test-app";
import { createTokenVerifier, type TokenVerifier } from "./token-verifier";

const key = new TextEncoder().encode(TEST_SECRET);
const verify = createTokenVerifier({ secret: TEST_SECRET, clockToleranceS: 30 });
const sign = (claims: Record<string, unknown>, build: (jwt: SignJWT) => SignJWT = (j) => j.setExpirationTime("1h")) =>
  build(new SignJWT(claims).setProtectedHeader({ alg: "HS256" })).sign(key);
const secondsAgo = (s: number) => Math.floor(Date.now() / 1000) - s;

describe("createTokenVerifier (HS256 shared secret)", () => {
  it("proves the subject and role of a good token", async () => {
    await expect(verify(await sign({ sub: "alice", role: "customer" }))).resolves.toEqual({
      subject: "alice",
      role: "customer",
    });
  });

  it("accepts a token expired within the clock tolerance", async () => {
    const token = await sign({ sub: "alice", role: "customer" }, (j) => j.setExpirationTime(secondsAgo(10)));
    await expect(verify(token)).resolves.toEqual({ subject: "alice", role: "customer" });
  });

  it.each([
    [
      "an expired token",
      () => sign({ sub: "alice", role: "customer" }, (j) => j.setExpirationTime(secondsAgo(60))),
      /expired/,
    ],
    ["a token without exp", () => sign({ sub: "alice", role: "customer" }, (j) => j), /invalid token/],
    [
      "a token signed with another secret",
      () =>
        new SignJWT({ sub: "a", role: "admin" })
          .setProtectedHeader({ alg: "HS256" })
          .setExpirationTime("1h")
          .sign(new TextEncoder().encode("another-secret-that-is-32-bytes-long")),
      /invalid token/,
    ],
    [
      "an HS512 token",
      () =>
        new SignJWT({ sub: "a", role: "admin" }).setProtectedHeader({ alg: "HS512" }).setExpirationTime("1h").sign(key),
      /invalid token/,
    ],
    [
      "an unsigned token",
      async () => new UnsecuredJWT({ sub: "a", role: "admin" }).setExpirationTime("1h").encode(),
      /invalid token/,
    ],
    ["an unknown role", () => sign({ sub: "alice", role: "root" }), /role/],
    ["a sub with a slash", () => sign({ sub: "../admin", role: "customer" }), /sub/],
    ["garbage", async () => "not.a.jwt", /invalid token/],
  ])("refuses %s as UNAUTHENTICATED", async (_, token, message) => {
    const jwt = await token();
    await expect(verify(jwt)).rejects.toThrow(message);
    await expect(verify(jwt)).rejects.toHaveProperty("code", "UNAUTHENTICATED");
  });
});

describe("createTokenVerifier (an identity provider's JWKS)", () => {
  const idp = new JwksServer();
  const issuer = "https://idp.test/";
  const audience = "qc-gateway";
  const claims = { sub: "alice", role: "customer", iss: issuer, aud: audience };
  let keys: Record<"rs" | "es" | "ed" | "next" | "stranger", SigningKey>;
  let jwksVerify: TokenVerifier;

  beforeAll(async () => {
    keys = {
      rs: await signingKey("rs-1", "RS256"),
      es: await signingKey("es-1", "ES256"),
      ed: await signingKey("ed-1", "EdDSA"),
      next: await signingKey("rs-2", "RS256"),
      stranger: await signingKey("rs-1", "RS256"), // claims the kid of a published key
    };
    idp.keys = [keys.rs, keys.es, keys.ed];
    const url = await idp.start();
    // No cooldown between fetches, so the rotation below needs no 30 s wait.
    jwksVerify = createTokenVerifier({ jwks: { url, cooldownMs: 0 }, issuer, audience, clockToleranceS: 30 });
  });
  afterAll(() => idp.close());

  it.each(["rs", "es", "ed"] as const)("proves a token signed with a published key (%s)", async (which) => {
    await expect(jwksVerify(await idpToken(keys[which], claims))).resolves.toEqual({
      subject: "alice",
      role: "customer",
    });
  });

  it("follows a key rotation: a token signed with a newly published key verifies", async () => {
    idp.keys = [keys.next, keys.es, keys.ed];
    await expect(jwksVerify(await idpToken(keys.next, { ...claims, sub: "bob" }))).resolves.toEqual({
      subject: "bob",
      role: "customer",
    });
  });

  it.each([
    ["a token signed by an unknown key", () => idpToken(keys.stranger, claims)],
    ["a token naming no published kid", async () => idpToken({ ...keys.stranger, kid: "nobody" }, claims)],
    ["another issuer", () => idpToken(keys.es, { ...claims, iss: "https://evil.test/" })],
    ["another audience", () => idpToken(keys.es, { ...claims, aud: "someone-else" })],
    ["no audience", () => idpToken(keys.es, { sub: "alice", role: "customer", iss: issuer })],
    [
      "a token expired beyond the clock tolerance",
      () => idpToken(keys.es, claims, (j) => j.setExpirationTime(secondsAgo(60))),
    ],
    [
      "an HS256 token (no shared secret is configured)",
      () => new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(key),
    ],
  ])("refuses %s as UNAUTHENTICATED", async (_, token) => {
    const jwt = await token();
    await expect(jwksVerify(jwt)).rejects.toHaveProperty("code", "UNAUTHENTICATED");
  });

  it("answers UNAVAILABLE, not 401, when the key set cannot be fetched", async () => {
    const down = createTokenVerifier({
      jwks: { url: new URL("http://127.0.0.1:9/jwks.json") },
      issuer,
      audience,
      clockToleranceS: 30,
    });
    await expect(down(await idpToken(keys.es, claims))).rejects.toHaveProperty("kind", "unavailable");
  });
});

describe("createTokenVerifier (both)", () => {
  it("checks an HS256 token against the secret when a JWKS is configured too", async () => {
    const both = createTokenVerifier({
      secret: TEST_SECRET,
      jwks: { url: new URL("http://127.0.0.1:9/jwks.json") },
      clockToleranceS: 30,
    });
    await expect(both(await sign({ sub: "alice", role: "customer" }))).resolves.toEqual({
      subject: "alice",
      role: "customer",
    });
  });
});
