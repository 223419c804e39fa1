import {
  address,
  addresses,
  booleanOr,
  loadConfig,
  logLevel,
  metricsPort,
  numberOr,
  optionalBoolean,
  optionalRedisUrl,
  optionalString,
  optionalUrl,
  port,
  positiveInt,
  redisKeyPrefix,
  stringOr,
} from "@qc/platform/config";
import { grpcTlsConfig } from "@qc/platform/grpc";
import { shutdownTimeoutMs } from "@qc/platform/runtime-config";
import * as v from "valibot";
import type { TokenVerifierOptions } from "./auth/token-verifier";
import { DEV_WEB_APP_ORIGINS, isOrigin, type EdgeOptions } from "./http/edge-headers";
import type { RateLimitOptions } from "./http/rate-limit";

/** An http:// or https:// URL; unset or empty is undefined. */
const optionalHttpUrl = optionalUrl(/^https?:$/, "an http:// or https:// URL");

/** A list of browser origins, comma-separated; unset or empty is undefined. */
const optionalOrigins = v.pipe(
  optionalString,
  v.transform((list) =>
    list
      ?.split(",")
      .map((o) => o.trim())
      .filter((o) => o !== ""),
  ),
  v.optional(
    v.array(
      v.pipe(
        v.string(),
        v.check(
          isOrigin,
          "must be origins such as https://shop.example (scheme, host, port; no path), comma-separated",
        ),
      ),
    ),
  ),
);

export const gatewayConfigSchema = v.pipe(
  v.object({
    GATEWAY_PORT: port(8080),
    GATEWAY_HOST: stringOr("127.0.0.1"),
    /** Prometheus `/metrics` on a port of its own, never the public one (0: a free one, -1: none). */
    METRICS_PORT: metricsPort(9460),
    /** The order service: one address, or its replicas' IPv4 addresses comma-separated (calls round robin). */
    ORDER_ADDR: addresses("127.0.0.1:50051"),
    INVENTORY_ADDR: address("127.0.0.1:50052"),
    PAYMENT_ADDR: address("127.0.0.1:50053"),
    RIDER_ADDR: address("127.0.0.1:50054"),
    /**
     * HS256 shared secret (development and tests; `npm run token` signs with it). At least 32 bytes,
     * the size of the HMAC-SHA-256 output: a shorter one is guessable offline from one token.
     */
    JWT_SECRET: v.pipe(
      optionalString,
      v.check((s) => s === undefined || Buffer.byteLength(s, "utf8") >= 32, "must be at least 32 bytes"),
    ),
    /** An identity provider's JSON Web Key Set: RS256/ES256/EdDSA tokens are verified against it (cached, re-fetched on rotation). */
    JWT_JWKS_URL: optionalHttpUrl,
    /** The `iss` and `aud` every token must carry (required with JWT_JWKS_URL; checked with HS256 too when set). */
    JWT_ISSUER: optionalString,
    JWT_AUDIENCE: optionalString,
    /** Leeway for `exp`/`nbf` between the token issuer's clock and the gateway's. */
    JWT_CLOCK_TOLERANCE_S: v.pipe(numberOr(30), v.integer("expected an integer"), v.minValue(0), v.maxValue(300)),
    /** How long CreateOrder waits for the saga before answering 202 with the PENDING order. */
    ORDER_WAIT_MS: positiveInt(3_000),
    /** Deadline of one upstream call attempt. */
    UPSTREAM_TIMEOUT_MS: positiveInt(5_000),
    BREAKER_THRESHOLD: positiveInt(5),
    BREAKER_HALF_OPEN_MS: positiveInt(5_000),
    BODY_LIMIT_BYTES: positiveInt(65_536),
    /**
     * Slow clients (see http/slow-clients.ts): a request's headers and body must have arrived within
     * HTTP_REQUEST_TIMEOUT_MS of its first byte (so a body within 10 s), its headers within
     * HTTP_HEADERS_TIMEOUT_MS; an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS.
     */
    HTTP_REQUEST_TIMEOUT_MS: positiveInt(10_000),
    HTTP_HEADERS_TIMEOUT_MS: positiveInt(5_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt(5_000),
    /** `production` turns the development defaults below off. */
    NODE_ENV: optionalString,
    /**
     * Browser origins allowed to call the API (CORS), comma-separated (`https://shop.example`). Unset:
     * none in production, the dev web app's (Vite's localhost:5173) otherwise.
     */
    CORS_ORIGINS: optionalOrigins,
    /**
     * `POST /v1/dev/token` (routes/dev.ts): a token for any subject and role, for the web app's "sign in
     * as" picker. Development only: refused together with NODE_ENV=production, and it needs JWT_SECRET.
     */
    DEV_LOGIN: booleanOr(false),
    /**
     * The web app's production build (index.html, assets/) served at `/`. Unset: this repository's
     * web/dist when it was built (`npm run build -w @qc/web`), else the API only.
     */
    WEB_ROOT: optionalString,
    /**
     * Sign-in with an OpenID Connect provider in the web app (Authorization Code + PKCE, a public
     * client): its issuer URL and the client id registered there, told to the app by GET /v1/auth/config.
     * The access tokens it issues must verify here (JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE) and carry `role`.
     */
    OIDC_ISSUER: optionalHttpUrl,
    OIDC_CLIENT_ID: optionalString,
    /** The scopes the app asks for. */
    OIDC_SCOPE: stringOr("openid"),
    /** The resource indicator (RFC 8707) the app asks a token for, when the provider needs one: usually JWT_AUDIENCE. */
    OIDC_RESOURCE: optionalString,
    /** The OpenAPI document and Swagger UI at /docs. Unset: on, except in production. */
    DOCS_ENABLED: optionalBoolean,
    /** Event streams (GET /v1/orders/{id}/events) one caller may hold open at once, per gateway replica; 429 TOO_MANY_STREAMS beyond. */
    ORDER_EVENT_STREAMS_PER_CALLER: positiveInt(5),
    /** How often a quiet event stream gets a comment line, so proxies and load balancers do not close it as idle. */
    ORDER_EVENT_HEARTBEAT_MS: positiveInt(15_000),
    /** Admission control (adaptive concurrency limits, 503 OVERLOADED beyond them); `false` turns it off. */
    ADMISSION_CONTROL: booleanOr(true),
    /**
     * Orders (POST /v1/orders) in flight at once: starts at the initial limit, grows while orders are
     * answered within the latency target, shrinks when they are slower or the platform sheds them.
     * The target (roughly the p99 latency of the orders let in under overload) is TOLERANCE × the p99
     * latency of orders at a normal load (learnt while the limit holds nothing back), within
     * [TARGET_MS, MAX_TARGET_MS] (MAX_TARGET_MS until learnt): under overload, the tail of the orders
     * let in stays within twice its usual length.
     */
    ORDER_ADMISSION_TOLERANCE: v.pipe(numberOr(1.25), v.minValue(1)),
    ORDER_ADMISSION_TARGET_MS: positiveInt(100),
    ORDER_ADMISSION_MAX_TARGET_MS: positiveInt(2_000),
    ORDER_ADMISSION_INITIAL_LIMIT: positiveInt(64),
    ORDER_ADMISSION_MIN_LIMIT: positiveInt(4),
    ORDER_ADMISSION_MAX_LIMIT: positiveInt(512),
    /** The same for every other request (reads, rider updates, admin), so orders never starve them. */
    OTHER_ADMISSION_TOLERANCE: v.pipe(numberOr(2), v.minValue(1)),
    OTHER_ADMISSION_TARGET_MS: positiveInt(100),
    OTHER_ADMISSION_MAX_TARGET_MS: positiveInt(2_000),
    OTHER_ADMISSION_INITIAL_LIMIT: positiveInt(64),
    OTHER_ADMISSION_MIN_LIMIT: positiveInt(4),
    OTHER_ADMISSION_MAX_LIMIT: positiveInt(1_024),
    /**
     * Rate limits (fixed windows; see README "Rate limits"): requests per window by principal (a valid
     * token) or, on routes open to anyone, by client address; failed authentications (401) per
     * address in a stricter budget of their own. `false` turns them off.
     */
    RATE_LIMIT: booleanOr(true),
    RATE_LIMIT_WINDOW_MS: positiveInt(10_000),
    RATE_LIMIT_PER_PRINCIPAL: positiveInt(1_000),
    RATE_LIMIT_PER_ADDRESS: positiveInt(1_000),
    RATE_LIMIT_AUTH_FAILURES: positiveInt(30),
    RATE_LIMIT_AUTH_FAILURE_WINDOW_MS: positiveInt(60_000),
    /** Where replicas share the rate limits' counters; unset (or empty): each process counts in memory. */
    REDIS_URL: optionalRedisUrl,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    /** Connect and command deadline; a request whose count Redis cannot give in time is let through. */
    REDIS_TIMEOUT_MS: positiveInt(250),
    /** How long a SIGTERM may take: in-flight requests finish, new ones get 503. */
    SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs,
    /** Mutual TLS for gRPC (all three, or none for plaintext); checked and read by `grpcTransport`. */
    ...grpcTlsConfig,
    LOG_LEVEL: logLevel,
    LOG_PRETTY: booleanOr(false),
  }),
  // CreateOrder holds the call open for up to ORDER_WAIT_MS; a shorter deadline would cut every slow saga off.
  // Node refuses a headers timeout longer than the request timeout it is part of.
  v.forward(
    v.check((c) => c.HTTP_HEADERS_TIMEOUT_MS <= c.HTTP_REQUEST_TIMEOUT_MS, "must not exceed HTTP_REQUEST_TIMEOUT_MS"),
    ["HTTP_HEADERS_TIMEOUT_MS"],
  ),
  v.forward(
    v.check((c) => c.UPSTREAM_TIMEOUT_MS > c.ORDER_WAIT_MS, "must exceed ORDER_WAIT_MS"),
    ["UPSTREAM_TIMEOUT_MS"],
  ),
  v.forward(
    v.check(
      (c) => c.JWT_SECRET !== undefined || c.JWT_JWKS_URL !== undefined,
      "is required (at least 32 bytes) unless JWT_JWKS_URL is set",
    ),
    ["JWT_SECRET"],
  ),
  // Anyone may get any token from the dev login: production must never serve it, whatever else is set.
  v.forward(
    v.check((c) => !(c.DEV_LOGIN && c.NODE_ENV === "production"), "must not be true with NODE_ENV=production"),
    ["DEV_LOGIN"],
  ),
  v.forward(
    v.check((c) => !c.DEV_LOGIN || c.JWT_SECRET !== undefined, "needs JWT_SECRET (its tokens are signed with it)"),
    ["DEV_LOGIN"],
  ),
  // A provider's keys sign tokens for many applications: without both checks a token it issued for
  // another one would be accepted here.
  v.forward(
    v.check((c) => c.JWT_JWKS_URL === undefined || c.JWT_ISSUER !== undefined, "is required with JWT_JWKS_URL"),
    ["JWT_ISSUER"],
  ),
  v.forward(
    v.check((c) => c.JWT_JWKS_URL === undefined || c.JWT_AUDIENCE !== undefined, "is required with JWT_JWKS_URL"),
    ["JWT_AUDIENCE"],
  ),
  v.forward(
    v.check((c) => c.OIDC_ISSUER === undefined || c.OIDC_CLIENT_ID !== undefined, "is required with OIDC_ISSUER"),
    ["OIDC_CLIENT_ID"],
  ),
  // The provider's tokens are only of use if the gateway can verify them.
  v.forward(
    v.check((c) => c.OIDC_ISSUER === undefined || c.JWT_JWKS_URL !== undefined, "is required with OIDC_ISSUER"),
    ["JWT_JWKS_URL"],
  ),
  v.forward(
    v.check(
      (c) => c.ORDER_ADMISSION_MIN_LIMIT <= c.ORDER_ADMISSION_MAX_LIMIT,
      "must not exceed ORDER_ADMISSION_MAX_LIMIT",
    ),
    ["ORDER_ADMISSION_MIN_LIMIT"],
  ),
  v.forward(
    v.check(
      (c) => c.OTHER_ADMISSION_MIN_LIMIT <= c.OTHER_ADMISSION_MAX_LIMIT,
      "must not exceed OTHER_ADMISSION_MAX_LIMIT",
    ),
    ["OTHER_ADMISSION_MIN_LIMIT"],
  ),
);

/** What the limit is multiplied by when requests queue: gentle, as TCP Reno's ½ would halve goodput at each sign. */
const BACKOFF_RATIO = 0.9;

/** The admission limits' options from the configuration, or null when admission control is off. */
export function admissionOptions(c: GatewayConfig) {
  if (!c.ADMISSION_CONTROL) return null;
  return {
    orders: {
      latencyTargetMs: c.ORDER_ADMISSION_TARGET_MS,
      tolerance: c.ORDER_ADMISSION_TOLERANCE,
      maxLatencyTargetMs: c.ORDER_ADMISSION_MAX_TARGET_MS,
      initialLimit: c.ORDER_ADMISSION_INITIAL_LIMIT,
      minLimit: c.ORDER_ADMISSION_MIN_LIMIT,
      maxLimit: c.ORDER_ADMISSION_MAX_LIMIT,
      backoffRatio: BACKOFF_RATIO,
    },
    other: {
      latencyTargetMs: c.OTHER_ADMISSION_TARGET_MS,
      tolerance: c.OTHER_ADMISSION_TOLERANCE,
      maxLatencyTargetMs: c.OTHER_ADMISSION_MAX_TARGET_MS,
      initialLimit: c.OTHER_ADMISSION_INITIAL_LIMIT,
      minLimit: c.OTHER_ADMISSION_MIN_LIMIT,
      maxLimit: c.OTHER_ADMISSION_MAX_LIMIT,
      backoffRatio: BACKOFF_RATIO,
    },
  };
}

/** The rate limits from the configuration, or null when they are off. */
export function rateLimitOptions(c: GatewayConfig): RateLimitOptions | null {
  if (!c.RATE_LIMIT) return null;
  return {
    windowMs: c.RATE_LIMIT_WINDOW_MS,
    perPrincipal: c.RATE_LIMIT_PER_PRINCIPAL,
    perAddress: c.RATE_LIMIT_PER_ADDRESS,
    authFailures: c.RATE_LIMIT_AUTH_FAILURES,
    authFailureWindowMs: c.RATE_LIMIT_AUTH_FAILURE_WINDOW_MS,
    keyPrefix: `${c.REDIS_KEY_PREFIX}gateway:rate:`,
    ...(c.REDIS_URL !== undefined && { redis: { url: c.REDIS_URL, timeoutMs: c.REDIS_TIMEOUT_MS } }),
  };
}

/** Which browser origins may call the API and whether /docs is served: development defaults unless production. */
export function edgeOptions(c: GatewayConfig): EdgeOptions {
  const production = c.NODE_ENV === "production";
  return {
    corsOrigins: c.CORS_ORIGINS ?? (production ? [] : DEV_WEB_APP_ORIGINS),
    docsEnabled: c.DOCS_ENABLED ?? !production,
  };
}

/** How long a dev login token lasts: a working day, as `npm start`'s printed tokens. */
const DEV_TOKEN_TTL_S = 12 * 60 * 60;

/** The dev login's signing options, or null when it is off (the route is then not registered at all). */
export function devLoginOptions(c: GatewayConfig): { secret: string; ttlSeconds: number } | null {
  if (!c.DEV_LOGIN || c.JWT_SECRET === undefined) return null;
  return { secret: c.JWT_SECRET, ttlSeconds: DEV_TOKEN_TTL_S };
}

/** What the web app needs to sign in with an OpenID Connect provider, or null when none is configured. */
export function oidcClientOptions(
  c: GatewayConfig,
): { issuer: string; clientId: string; scope: string; resource?: string } | null {
  if (c.OIDC_ISSUER === undefined || c.OIDC_CLIENT_ID === undefined) return null;
  return {
    issuer: c.OIDC_ISSUER,
    clientId: c.OIDC_CLIENT_ID,
    scope: c.OIDC_SCOPE,
    ...(c.OIDC_RESOURCE !== undefined && { resource: c.OIDC_RESOURCE }),
  };
}

/** How the gateway checks bearer tokens, from the configuration. */
export function tokenVerifierOptions(c: GatewayConfig): TokenVerifierOptions {
  return {
    ...(c.JWT_SECRET !== undefined && { secret: c.JWT_SECRET }),
    ...(c.JWT_JWKS_URL !== undefined && { jwks: { url: new URL(c.JWT_JWKS_URL) } }),
    ...(c.JWT_ISSUER !== undefined && { issuer: c.JWT_ISSUER }),
    ...(c.JWT_AUDIENCE !== undefined && { audience: c.JWT_AUDIENCE }),
    clockToleranceS: c.JWT_CLOCK_TOLERANCE_S,
  };
}

export type GatewayConfig = v.InferOutput<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> =>
  loadConfig(gatewayConfigSchema, env);
