import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleAll, type CircuitBreakerPolicy } from "cockatiel";
import type { Logger } from "@qc/platform/log";
import type { Redis } from "ioredis";
import type { CacheEntry, CacheLookup, CacheSlot, CatalogCache } from "../../app/catalog-cache.port";

export interface RedisCatalogCacheOptions {
  /** Prepended to every key, so environments (and test runs) sharing a Redis stay apart. */
  readonly keyPrefix: string;
  readonly ttlMs: number;
  /** How long the breaker stays open before one trial call (docs/design.md §5: 5 s). */
  readonly halfOpenAfterMs?: number;
}

/** Consecutive failures that open the breaker (docs/design.md §5). */
const BREAKER_THRESHOLD = 5;

/**
 * The catalog cache on Redis. A value is stored as "<generation>:<text>" with a TTL; a scope's
 * generation is a counter (INCR) that starts at 0 when absent. Generation keys get no TTL (one
 * per product, few), so they are not dropped before the values they guard; only an allkeys-*
 * eviction policy could drop one, and then a value stored under generation 0 could come back for
 * at most its TTL. Every call goes through a circuit breaker, so a dead Redis costs nothing per
 * request once the breaker is open.
 */
export class RedisCatalogCache implements CatalogCache {
  private readonly breaker: CircuitBreakerPolicy;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisCatalogCacheOptions,
    logger: Logger,
  ) {
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.halfOpenAfterMs ?? 5_000,
      breaker: new ConsecutiveBreaker(BREAKER_THRESHOLD),
    });
    this.breaker.onBreak(() => logger.warn("catalog cache circuit open: reading from the database only"));
    this.breaker.onReset(() => logger.info("catalog cache circuit closed"));
  }

  get breakerState(): "closed" | "open" | "half-open" {
    const state = this.breaker.state;
    return state === CircuitState.Closed ? "closed" : state === CircuitState.HalfOpen ? "half-open" : "open";
  }

  async read(slots: readonly CacheSlot[]): Promise<CacheLookup[]> {
    const keys = [...slots.map((s) => this.generationKey(s.scope)), ...slots.map((s) => this.valueKey(s.key))];
    const replies = await this.guarded(() => this.redis.mget(keys));
    return slots.map((_, i) => {
      const generation = replies[i] ?? "0";
      const stored = replies[slots.length + i];
      const split = stored?.indexOf(":") ?? -1;
      const current = stored !== undefined && stored !== null && stored.slice(0, split) === generation;
      return { value: current ? stored.slice(split + 1) : undefined, generation };
    });
  }

  async store(entries: readonly CacheEntry[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const e of entries) pipeline.set(this.valueKey(e.key), `${e.generation}:${e.value}`, "PX", this.options.ttlMs);
    await this.guarded(() => execOrThrow(pipeline));
  }

  async invalidate(scopes: readonly string[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const scope of new Set(scopes)) pipeline.incr(this.generationKey(scope));
    await this.guarded(() => execOrThrow(pipeline));
  }

  /** Runs the call under the breaker; while it is open, fails at once with cockatiel's BrokenCircuitError. */
  private guarded<T>(call: () => Promise<T>): Promise<T> {
    return this.breaker.execute(call);
  }

  private valueKey(key: string): string {
    return `${this.options.keyPrefix}inventory:catalog:${key}`;
  }

  private generationKey(scope: string): string {
    return `${this.options.keyPrefix}inventory:catalog:gen:${scope}`;
  }
}

/** Runs a pipeline and fails if any of its commands failed (exec itself resolves with per-command errors). */
async function execOrThrow(pipeline: ReturnType<Redis["pipeline"]>): Promise<void> {
  const results = (await pipeline.exec()) ?? [];
  const failure = results.find(([err]) => err !== null)?.[0];
  if (failure) throw failure;
}
