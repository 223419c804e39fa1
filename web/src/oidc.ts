/**
 * Sign-in with an OpenID Connect provider: Authorization Code with PKCE, as a public client (no
 * secret), over oauth4webapi. Loaded only when someone signs in this way (a dynamic import), so the
 * first page load does not carry it. The access token the provider issues is the bearer token the
 * gateway verifies (JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE); it must carry `sub` and `role`.
 */
import * as oauth from "oauth4webapi";
import type { Schema } from "@qc/api-client";

export type OidcConfig = NonNullable<Schema<"AuthConfig">["oidc"]>;

/** What the app keeps in this tab between leaving for the provider and coming back. */
interface Pending {
  readonly verifier: string;
  readonly state: string;
  readonly next: string | null;
}

const PENDING_KEY = "qc.oidc.pending";
export const CALLBACK_PATH = "/signin/callback";

const redirectUri = (): string => `${location.origin}${CALLBACK_PATH}`;

/** Plain http only to a provider on this machine (development, the browser tests); anything else is https. */
function requestOptions(issuer: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(issuer.hostname);
  return issuer.protocol === "http:" && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover(config: OidcConfig) {
  const issuer = new URL(config.issuer);
  const options = requestOptions(issuer);
  const as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...options }),
  );
  return { as, options, client: { client_id: config.clientId } satisfies oauth.Client };
}

/** Leaves for the provider's sign-in page; it sends the browser back to CALLBACK_PATH. */
export async function startSignIn(config: OidcConfig, next: string | null): Promise<void> {
  const { as } = await discover(config);
  if (as.authorization_endpoint === undefined) throw new Error("the provider names no authorization endpoint");
  const verifier = oauth.generateRandomCodeVerifier();
  const pending: Pending = { verifier, state: oauth.generateRandomState(), next };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  const params: Record<string, string> = {
    client_id: config.clientId,
    response_type: "code",
    redirect_uri: redirectUri(),
    scope: config.scope,
    state: pending.state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...(config.resource !== undefined && { resource: config.resource }),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.href);
}

function takePending(): Pending | null {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (raw === null) return null;
  try {
    const p = JSON.parse(raw) as Partial<Pending>;
    return typeof p.verifier === "string" && typeof p.state === "string"
      ? { verifier: p.verifier, state: p.state, next: p.next ?? null }
      : null;
  } catch {
    return null;
  }
}

/**
 * Back from the provider at `callback`: checks the state, exchanges the code with the PKCE verifier
 * and answers the access token. Throws (with the provider's error, if it sent one) otherwise.
 */
export async function finishSignIn(
  config: OidcConfig,
  callback: URL,
): Promise<{ accessToken: string; next: string | null }> {
  const pending = takePending();
  if (pending === null) throw new Error("no sign-in was started in this tab: start again");
  const { as, options, client } = await discover(config);
  const params = oauth.validateAuthResponse(as, client, callback, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    {
      ...options,
      ...(config.resource !== undefined && { additionalParameters: { resource: config.resource } }),
    },
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  return { accessToken: result.access_token, next: pending.next };
}
