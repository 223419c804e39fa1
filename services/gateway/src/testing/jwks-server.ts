import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

/** The asymmetric algorithms an identity provider may sign with (and the gateway accepts). */
export type IdpAlgorithm = "RS256" | "ES256" | "EdDSA";

export interface SigningKey {
  readonly kid: string;
  readonly alg: IdpAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function signingKey(kid: string, alg: IdpAlgorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === "EdDSA" ? { crv: "Ed25519" } : {});
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** A token as an identity provider would issue it: signed by `key`, naming it in `kid`. */
export function idpToken(
  key: SigningKey,
  claims: Record<string, unknown>,
  build: (jwt: SignJWT) => SignJWT = (j) => j,
): Promise<string> {
  return build(new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid }).setExpirationTime("1h")).sign(
    key.privateKey,
  );
}

/**
 * An identity provider's JWKS endpoint on 127.0.0.1: serves the public halves of `keys`, which a
 * test replaces to rotate them; counts the fetches.
 */
export class JwksServer {
  keys: SigningKey[] = [];
  fetches = 0;
  private readonly server: Server = createServer((_req, res) => {
    this.fetches++;
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ keys: this.keys.map((k) => k.publicJwk) }));
  });

  async start(): Promise<URL> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return new URL(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
