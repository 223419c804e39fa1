import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from "kysely";
import pg from "pg";

// BIGINT and NUMERIC counts come back as JS numbers: every amount here is integer cents or units
// far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export interface DatabaseOptions {
  readonly url: string;
  /** The service's own schema (database-per-service by schema); becomes the search_path. */
  readonly schema: string;
  readonly poolSize?: number;
}

/** A pool-backed Kysely whose connections all live in the service's schema. */
export function createDatabase<DB>(options: DatabaseOptions): { db: Kysely<DB>; pool: pg.Pool } {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    options: `-c search_path=${options.schema}`,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client's error (the server went away) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool };
}

/** Reads `NNNN_name.sql` files in order; each file is one migration, applied once. */
class SqlFileMigrations implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => f.endsWith(".sql")).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await readFile(join(this.dir, file), "utf8");
      migrations[file.replace(/\.sql$/, "")] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    }
    return migrations;
  }
}

/**
 * Creates the schema and applies pending SQL migrations from `dir`. Safe to run from several
 * replicas at once: Kysely's migrator takes an advisory lock.
 */
export async function migrate<DB>(typedDb: Kysely<DB>, schema: string, dir: string): Promise<void> {
  // Migrations know no table types; the database's type is the caller's business.
  const db = typedDb as unknown as Kysely<unknown>;
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db).catch((err: unknown) => {
    // Two replicas racing to create the schema: the loser sees a unique violation; the schema exists.
    if ((err as { code?: string }).code !== "23505") throw err;
  });
  const migrator = new Migrator({
    db,
    provider: new SqlFileMigrations(dir),
    migrationTableSchema: schema,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error("migration failed", { cause: error });
}

/** True for errors that mean the database itself is unreachable, not that a query was wrong. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  if (typeof code !== "string") return false;
  return ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "57P01", "57P03", "08000", "08003", "08006", "08001", "08004"].includes(code)
    || (err instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(err.message));
}
