import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { TEST_SECRET } from "../testing/test-app";
import { createTokenVerifier } from "./token-verifier";

const key = new TextEncoder().encode(TEST_SECRET);
const verify = createTokenVerifier(TEST_SECRET);
const sign = (claims: Record<string, unknown>, build: (jwt: SignJWT) => SignJWT = (j) => j.setExpirationTime("1h")) =>
  build(new SignJWT(claims).setProtectedHeader({ alg: "HS256" })).sign(key);

describe("createTokenVerifier", () => {
  it("proves the subject and role of a good token", async () => {
    await expect(verify(await sign({ sub: "alice", role: "customer" }))).resolves.toEqual({ subject: "alice", role: "customer" });
  });

  it.each([
    ["an expired token", () => sign({ sub: "alice", role: "customer" }, (j) => j.setExpirationTime(Math.floor(Date.now() / 1000) - 60)), /expired/],
    ["a token without exp", () => sign({ sub: "alice", role: "customer" }, (j) => j), /invalid token/],
    ["a token signed with another secret", () => new SignJWT({ sub: "a", role: "admin" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(new TextEncoder().encode("another-secret-of-16+")), /invalid token/],
    ["an HS512 token", () => new SignJWT({ sub: "a", role: "admin" }).setProtectedHeader({ alg: "HS512" }).setExpirationTime("1h").sign(key), /invalid token/],
    ["an unsigned token", async () => new UnsecuredJWT({ sub: "a", role: "admin" }).setExpirationTime("1h").encode(), /invalid token/],
    ["an unknown role", () => sign({ sub: "alice", role: "root" }), /role/],
    ["a sub with a slash", () => sign({ sub: "../admin", role: "customer" }), /sub/],
    ["garbage", async () => "not.a.jwt", /invalid token/],
  ])("refuses %s as UNAUTHENTICATED", async (_, token, message) => {
    const jwt = await token();
    await expect(verify(jwt)).rejects.toThrow(message);
    await expect(verify(jwt)).rejects.toHaveProperty("code", "UNAUTHENTICATED");
  });
});
