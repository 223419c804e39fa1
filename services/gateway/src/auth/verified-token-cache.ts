import type { Principal } from "./principal";

type Verify = (token: string) => Promise<Principal>;

/**
 * Remembers tokens that verified, until they expire. A token is an immutable signed string, so a
 * second check of the same string can only give the same answer; clients send the same token on
 * every request, and the signature check (WebCrypto HMAC, asynchronous) was a tenth of the gateway's
 * CPU under load. Failures are never cached; the cache is bounded and dropped whole when full.
 */
export function cachingVerifier(
  verify: Verify,
  expiresAt: (token: string) => number | null,
  maxEntries = 10_000,
): Verify {
  const cache = new Map<string, { principal: Principal; expiresAtMs: number }>();
  return async (token) => {
    const hit = cache.get(token);
    if (hit && hit.expiresAtMs > Date.now()) return hit.principal;
    const principal = await verify(token);
    const exp = expiresAt(token);
    if (exp !== null) {
      if (cache.size >= maxEntries) cache.clear();
      cache.set(token, { principal, expiresAtMs: exp });
    }
    return principal;
  };
}
