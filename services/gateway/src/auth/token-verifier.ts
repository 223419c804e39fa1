import { decodeJwt, errors, jwtVerify } from "jose";
import { cachingVerifier } from "./verified-token-cache";
import { unauthenticated } from "./auth.errors";
import { isRole, subjectPattern, type Principal } from "./principal";

/** Turns a bearer token into the principal it proves, or throws UNAUTHENTICATED. */
export type TokenVerifier = (token: string) => Promise<Principal>;

const SUBJECT = new RegExp(subjectPattern);

export function createTokenVerifier(secret: string): TokenVerifier {
  return cachingVerifier(createSignatureVerifier(secret), expiryOf);
}

/** When a token (already verified) stops being valid, in ms since the epoch. */
function expiryOf(token: string): number | null {
  const { exp } = decodeJwt(token);
  return typeof exp === "number" ? exp * 1000 : null;
}

function createSignatureVerifier(secret: string): TokenVerifier {
  const key = new TextEncoder().encode(secret);
  return async (token) => {
    let claims: Record<string, unknown>;
    try {
      // Pinning the algorithm stops a token from choosing how it is checked ("none", RS/HS confusion).
      ({ payload: claims } = await jwtVerify(token, key, { algorithms: ["HS256"], requiredClaims: ["sub", "exp"] }));
    } catch (err) {
      throw unauthenticated(err instanceof errors.JWTExpired ? "token expired" : "invalid token");
    }
    const { sub, role } = claims;
    if (typeof sub !== "string" || !SUBJECT.test(sub)) throw unauthenticated("invalid token: bad sub claim");
    if (!isRole(role)) throw unauthenticated("invalid token: bad role claim");
    return { subject: sub, role };
  };
}
