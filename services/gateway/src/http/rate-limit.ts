import rateLimit, { normalizeIP } from "@fastify/rate-limit";
import type { Logger } from "@qc/platform/log";
import { createRedis, untilReady } from "@qc/platform/redis";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { RateLimitedError } from "./problem";

export interface RateLimitOptions {
  /** Fixed window of the request budgets. */
  readonly windowMs: number;
  /** Requests per window of one principal (a valid token), on any route. */
  readonly perPrincipal: number;
  /** Requests per window of one client address, on routes that need no token (and unknown paths). */
  readonly perAddress: number;
  /** Failed authentications (401) per window of one client address. */
  readonly authFailures: number;
  readonly authFailureWindowMs: number;
  /** Prefix of the counters' keys in Redis. */
  readonly keyPrefix: string;
  /** Where replicas share the counters; in this process's memory without it. */
  readonly redis?: { readonly url: string; readonly timeoutMs: number };
}

export interface RateLimits {
  /** Counts a failed authentication against the caller's address; throws RATE_LIMITED once its budget is spent. */
  readonly authenticationFailed: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

type Limiter = ReturnType<FastifyInstance["createRateLimit"]>;

/** A budget, named as the RateLimit headers name it. */
interface Policy {
  readonly name: "principal" | "address" | "auth-failures";
  readonly max: number;
  readonly windowMs: number;
  limiter?: Limiter;
}

/** How long a start waits for Redis before it goes on without it (uncounted until it connects). */
const REDIS_READY_WAIT_MS = 2_000;

/** Probes and docs: a load balancer or a browser must never be told to wait. (`/metrics` is on its own port.) */
const isExempt = (route: string | undefined): boolean =>
  route !== undefined && (route === "/healthz" || route === "/readyz" || route.startsWith("/docs"));

/** IPv6 clients are counted by /64, as one host usually holds a whole one. */
const addressOf = (request: FastifyRequest): string => normalizeIP(request.ip);

/**
 * Rate limits at the edge, with @fastify/rate-limit's counters (in Redis when given, so replicas share
 * one budget; in process memory otherwise). Its own hooks are not used: the budget depends on who is
 * calling, known only after the route's `authorize` hook, so the check runs at preParsing — after
 * admission control and the token check, before the body is read. A failed authentication is counted
 * by the authorize hook itself (see `authenticationFailed`), in a much smaller budget per address.
 *
 * Over a budget: 429 RATE_LIMITED with Retry-After. Every counted answer carries the IETF draft's
 * `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-10; the plugin's
 * `enableDraftSpec` writes the older draft-06 `RateLimit-Limit/-Remaining/-Reset` trio instead).
 * A store that cannot answer lets the request through: an outage of Redis is no outage of the API.
 */
export function installRateLimits(app: FastifyInstance, options: RateLimitOptions | null, logger: Logger): RateLimits {
  if (options === null) return { authenticationFailed: async () => undefined };
  // Fails fast while Redis is away (no offline queue, a deadline on every command): see `count`.
  const redis = options.redis ? createRedis(options.redis.url, options.redis.timeoutMs, logger) : null;
  if (redis) {
    // Commands sent before the connection is up fail (and would go uncounted): give it a moment at start.
    app.addHook("onReady", async () => void (await untilReady(redis, REDIS_READY_WAIT_MS)));
    app.addHook("onClose", async () => redis.disconnect());
  }
  const principal: Policy = { name: "principal", max: options.perPrincipal, windowMs: options.windowMs };
  const address: Policy = { name: "address", max: options.perAddress, windowMs: options.windowMs };
  const failures: Policy = { name: "auth-failures", max: options.authFailures, windowMs: options.authFailureWindowMs };

  void app.register(rateLimit, { global: false, nameSpace: options.keyPrefix, cache: 10_000, ...(redis && { redis }) });
  // The plugin's decorator exists once it is loaded; requests come only after that.
  void app.after((err) => {
    if (err) throw err;
    const limiter = (policy: Policy, key: (request: FastifyRequest) => string) =>
      (policy.limiter = app.createRateLimit({ max: policy.max, timeWindow: policy.windowMs, keyGenerator: key }));
    limiter(principal, (r) => `principal:${r.principal?.role ?? ""}:${r.principal?.subject ?? ""}`);
    limiter(address, (r) => `address:${addressOf(r)}`);
    limiter(failures, (r) => `auth-failure:${addressOf(r)}`);
  });

  let storeFailing = false;
  const count = async (policy: Policy, request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (policy.limiter === undefined) return;
    let state: Awaited<ReturnType<Limiter>>;
    try {
      state = await policy.limiter(request);
      storeFailing = false;
    } catch (err) {
      // One line per outage, not per request.
      if (!storeFailing)
        request.log.warn({ err }, "rate limit store unavailable; requests are not counted until it is back");
      storeFailing = true;
      return;
    }
    if (state.isAllowed) return;
    void reply.header("ratelimit-policy", `"${policy.name}";q=${policy.max};w=${Math.ceil(policy.windowMs / 1000)}`);
    void reply.header("ratelimit", `"${policy.name}";r=${state.remaining};t=${state.ttlInSeconds}`);
    if (state.isExceeded) {
      throw new RateLimitedError(
        `Too many requests (${policy.name} budget); retry after the window resets.`,
        Math.max(1, state.ttlInSeconds),
      );
    }
  };

  app.addHook("preParsing", async (request, reply) => {
    if (isExempt(request.routeOptions.url)) return;
    await count(request.principal ? principal : address, request, reply);
  });
  return { authenticationFailed: (request, reply) => count(failures, request, reply) };
}
