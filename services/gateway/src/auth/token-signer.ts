import { SignJWT } from "jose";
import type { Principal } from "./principal";

/**
 * Signs a token for `principal` with the HS256 shared secret, as the token verifier checks it (and as
 * `npm run token` does). Only the dev login (routes/dev.ts) uses it: in production tokens come from an
 * identity provider, and the gateway never issues any.
 */
export function signHs256Token(secret: string, principal: Principal, ttlSeconds: number): Promise<string> {
  return new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(principal.subject)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}
