import { AppError } from "@qc/platform/errors";
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { cachingVerifier } from "./verified-token-cache";
import { unauthenticated } from "./auth.errors";
import { isRole, subjectPattern, type Principal } from "./principal";

/** Turns a bearer token into the principal it proves, or throws UNAUTHENTICATED. */
export type TokenVerifier = (token: string) => Promise<Principal>;

export interface TokenVerifierOptions {
  /** HS256 shared secret (development, tests): tokens signed like `npm run token` does. */
  readonly secret?: string;
  /** An identity provider's key set: RS256, ES256 and EdDSA tokens are checked against it. */
  readonly jwks?: {
    readonly url: URL;
    /** How soon after a fetch a token naming an unknown key may fetch the set again (jose's default: 30 s). */
    readonly cooldownMs?: number;
  };
  /** Required `iss` and `aud` of every token, when set (always with a JWKS: see config.ts). */
  readonly issuer?: string;
  readonly audience?: string;
  /** Leeway for `exp`/`nbf`/`iat` between the issuer's clock and ours. */
  readonly clockToleranceS: number;
}

/** What an identity provider signs with. Never HS*: a public key must never be usable as an HMAC secret. */
const IDP_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;
/** How long a fetched key set is trusted before it is fetched again (keys removed at the provider stop working by then). */
const JWKS_MAX_AGE_MS = 10 * 60_000;
const JWKS_TIMEOUT_MS = 5_000;
const SUBJECT = new RegExp(subjectPattern);

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return cachingVerifier(createSignatureVerifier(options), expiryOf);
}

/** When a token (already verified) stops being valid, in ms since the epoch. */
function expiryOf(token: string): number | null {
  const { exp } = decodeJwt(token);
  return typeof exp === "number" ? exp * 1000 : null;
}

function createSignatureVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { secret, jwks, issuer, audience, clockToleranceS } = options;
  const hmacKey = secret === undefined ? null : new TextEncoder().encode(secret);
  const remote =
    jwks === undefined
      ? null
      : createRemoteJWKSet(jwks.url, {
          cooldownDuration: jwks.cooldownMs ?? 30_000,
          cacheMaxAge: JWKS_MAX_AGE_MS,
          timeoutDuration: JWKS_TIMEOUT_MS,
        });
  // Pinning the algorithms stops a token from choosing how it is checked ("none", RS/HS confusion):
  // HS256 only ever meets the secret, the others only the provider's published keys.
  const algorithms = [...(hmacKey ? ["HS256"] : []), ...(remote ? IDP_ALGORITHMS : [])];
  const keyFor: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === "HS256" && hmacKey) return hmacKey;
    if (remote) return remote(header, token);
    throw new errors.JOSEAlgNotAllowed("no key for this algorithm");
  };
  return async (token) => {
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, keyFor, {
        algorithms,
        requiredClaims: ["sub", "exp"],
        clockTolerance: clockToleranceS,
        ...(issuer !== undefined && { issuer }),
        ...(audience !== undefined && { audience }),
      }));
    } catch (err) {
      throw verificationError(err);
    }
    const { sub, role } = claims;
    if (typeof sub !== "string" || !SUBJECT.test(sub)) throw unauthenticated("invalid token: bad sub claim");
    if (!isRole(role)) throw unauthenticated("invalid token: bad role claim");
    return { subject: sub, role };
  };
}

/**
 * A key set that could not be fetched says nothing about the token: that is the identity provider
 * being unreachable (503, retry), not a bad token (401). Everything else the token is to blame for.
 */
function verificationError(err: unknown): AppError {
  if (err instanceof errors.JWTExpired) return unauthenticated("token expired");
  // jose throws a plain JOSEError (no subclass) only when the key set's answer is not a 200 with JSON;
  // anything that is no JOSEError at all is the fetch itself failing (refused, reset, DNS).
  const fetchFailed =
    err instanceof errors.JWKSTimeout ||
    (err instanceof Error && (!(err instanceof errors.JOSEError) || err.constructor === errors.JOSEError));
  if (fetchFailed) {
    return new AppError(
      "unavailable",
      "IDENTITY_PROVIDER_UNAVAILABLE",
      "the identity provider's keys could not be fetched",
      { cause: err },
    );
  }
  if (err instanceof errors.JWKSNoMatchingKey) return unauthenticated("invalid token: signed by an unknown key");
  return unauthenticated("invalid token");
}
