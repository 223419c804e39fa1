import { optionalString, optionalUrl, positiveInt } from "./config";
import { defaultPoolQueue } from "./db/pool-queue";

/**
 * Configuration every service with a database reads the same way. Unset or empty (as compose files
 * often leave variables), `DATABASE_URL` means the embedded database: PGlite in `<DATA_DIR>/<service>/`.
 */
export const optionalPostgresUrl = optionalUrl(/^postgres(ql)?:$/, "a postgres:// URL");

/** Where embedded databases keep their files (one folder per service); `.data/` at the repository root by default. */
export const dataDir = optionalString;

/** How long a graceful stop (SIGTERM, SIGINT) may take before the process exits anyway, with code 1. */
export const shutdownTimeoutMs = positiveInt(10_000);

/**
 * The database pool of a service: `DB_POOL_SIZE` connections, at most `DB_POOL_MAX_WAITING` queries
 * waiting for one (the next is refused at once, OVERLOADED), none waiting longer than
 * `DB_ACQUIRE_TIMEOUT_MS` or past its request's deadline. Spread into a service's config schema.
 */
export const databasePoolConfig = {
  DB_POOL_SIZE: positiveInt(10),
  DB_POOL_MAX_WAITING: positiveInt(defaultPoolQueue.maxWaiting),
  DB_ACQUIRE_TIMEOUT_MS: positiveInt(defaultPoolQueue.acquireTimeoutMs),
};

/** `openServiceDatabase`'s pool options from a config built with `databasePoolConfig`. */
export const poolOptionsOf = (c: {
  DB_POOL_SIZE: number;
  DB_POOL_MAX_WAITING: number;
  DB_ACQUIRE_TIMEOUT_MS: number;
}) => ({
  poolSize: c.DB_POOL_SIZE,
  maxWaiting: c.DB_POOL_MAX_WAITING,
  acquireTimeoutMs: c.DB_ACQUIRE_TIMEOUT_MS,
});
