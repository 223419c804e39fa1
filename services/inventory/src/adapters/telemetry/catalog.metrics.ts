import type { Metrics } from "@qc/platform/observability";
import type { CatalogCacheStats } from "../../app/cached-catalog";

/**
 * The catalog cache's counters, read from `stats()` at each scrape (the hot path only bumps plain
 * numbers): `catalog_cache_requests_total{result="hit"|"miss"}`, `catalog_store_loads_total` (reads
 * that went to Postgres) and `catalog_cache_errors_total` (cache operations that failed).
 */
export function observeCatalogCache(metrics: Metrics, catalog: { stats(): CatalogCacheStats }): void {
  const requests = metrics.counter({
    name: "catalog_cache_requests_total",
    help: "Catalog values looked up in the cache, by result (hit, miss).",
    labelNames: ["result"],
    collect: () => {
      const { hits, misses } = catalog.stats();
      requests.reset();
      requests.inc({ result: "hit" }, hits);
      requests.inc({ result: "miss" }, misses);
    },
  });
  const loads = metrics.counter({
    name: "catalog_store_loads_total",
    help: "Catalog reads from Postgres after cache misses (concurrent misses of one value share a read).",
    collect: () => {
      loads.reset();
      loads.inc(catalog.stats().loads);
    },
  });
  const errors = metrics.counter({
    name: "catalog_cache_errors_total",
    help: "Cache operations that failed or were refused by an open breaker; the read fell back to Postgres.",
    collect: () => {
      errors.reset();
      errors.inc(catalog.stats().cacheErrors);
    },
  });
}
