import { z } from "zod";
import { positiveInt, postgresUrl } from "./config";

/**
 * Configuration every service with a database reads the same way. Unset or empty (as compose files
 * often leave variables), `DATABASE_URL` means the embedded database: PGlite in `<DATA_DIR>/<service>/`.
 */
export const optionalPostgresUrl = z.preprocess((v) => (v === "" ? undefined : v), postgresUrl.optional());

/** Where embedded databases keep their files (one folder per service); `.data/` at the repository root by default. */
export const dataDir = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional());

/** How long a graceful stop (SIGTERM, SIGINT) may take before the process exits anyway, with code 1. */
export const shutdownTimeoutMs = positiveInt(10_000);
