import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  type Migration,
  type MigrationProvider,
  type PostgresPool,
} from "kysely";
import pg from "pg";
import type { Logger } from "pino";
import { currentDeadline } from "../overload/deadline";
import { Permits } from "../overload/permits";
import { defaultPoolQueue, embeddedDataDir, openEmbeddedDatabase, type PoolQueue } from "./embedded";
import { listenOnServer, type Listening, type ListenOptions } from "./listen";
import { setTypeParsers } from "./type-parsers";

/** Driver-free (the gRPC status mapping of every service uses it): see connection-errors.ts. */
export { isConnectionError } from "./connection-errors";

export interface DatabaseOptions {
  /** A real Postgres server. Without it the database is embedded (PGlite) in `dataDir`. */
  readonly url?: string;
  /** The embedded database's directory (see `embeddedDataDir`); required without `url`. */
  readonly dataDir?: string;
  /** The service's own schema (database-per-service by schema); becomes the search_path. */
  readonly schema: string;
  readonly poolSize?: number;
  /** At most this many queries wait for a connection; the next is refused at once (OVERLOADED). */
  readonly maxWaiting?: number;
  /** Longest wait for a connection (a request's own deadline may end it sooner); then OVERLOADED. */
  readonly acquireTimeoutMs?: number;
  /** Says at info what a starting embedded database is doing (initdb on a first start, opening). */
  readonly logger?: Logger;
}

export interface Database<DB> {
  readonly db: Kysely<DB>;
  /** `postgres`: a server at `url`; `embedded`: PGlite in this process, files in `dataDir`. */
  readonly mode: "postgres" | "embedded";
  /** Where the data is, for logs: the URL without its password, or the embedded data directory. */
  readonly location: string;
  /** The server pool (postgres mode only). */
  readonly pool?: pg.Pool;
  /**
   * LISTEN on `channel` (a plain lower-case name): every NOTIFY sent on it once its transaction
   * commits, from any process on a server, from this one (the only one) when embedded. On a server,
   * `onGap` says the listening connection was lost and notifications may have been missed.
   */
  readonly listen: (channel: string, options: ListenOptions) => Promise<Listening>;
  /** True when the database answers within `timeoutMs` (a health probe; never throws). */
  readonly ping: (timeoutMs: number) => Promise<boolean>;
  /** Closes the pool (or the embedded database) and the health probe's connection. */
  readonly close: () => Promise<void>;
}

/**
 * A Kysely whose connections all live in the service's schema: over a pool of a Postgres server
 * when `url` is given, otherwise over an embedded PGlite database in `dataDir` (same SQL, same
 * migrations, same result types; transactions take turns on its single session).
 */
export function createDatabase<DB>(options: DatabaseOptions): Database<DB> {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
  setTypeParsers();
  if (options.url === undefined || options.url === "") {
    if (!options.dataDir) throw new Error("createDatabase needs a url or a dataDir");
    const embedded = openEmbeddedDatabase(options.dataDir, options.schema, queueOf(options), (message) =>
      options.logger?.info(message),
    );
    const db = embedded.scopeConnections(new Kysely<DB>({ dialect: new PostgresDialect({ pool: embedded.pool }) }));
    return {
      db,
      mode: "embedded",
      location: embedded.dataDir,
      listen: (channel, listenOptions) => embedded.listen(channel, listenOptions.onNotification),
      ping: async () => embedded.alive(),
      close: () => db.destroy(),
    };
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    options: `-c search_path=${options.schema}`,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client's error (the server went away) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  // Nor may a checked-out one's: the pool drops its own listener while a client is lent out, and a
  // connection that dies between two queries of a transaction (backend terminated, server restarted)
  // then emits an unhandled 'error'. Its next query fails instead, and the pool discards it on release.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: boundedQueue(pool, options.poolSize ?? 10, queueOf(options)) }),
  });
  const url = options.url;
  const probe = serverProbe(url);
  return {
    db,
    mode: "postgres",
    location: redactUrl(options.url),
    pool,
    listen: (channel, listenOptions) => listenOnServer(url, channel, listenOptions),
    ping: (timeoutMs) => probe.ping(timeoutMs),
    close: async () => {
      probe.close();
      await db.destroy();
    },
  };
}

const queueOf = (o: DatabaseOptions): PoolQueue => ({
  maxWaiting: o.maxWaiting ?? defaultPoolQueue.maxWaiting,
  acquireTimeoutMs: o.acquireTimeoutMs ?? defaultPoolQueue.acquireTimeoutMs,
});

/**
 * The pool as Kysely sees it, with a wait queue of our own in front of pg's (which is unbounded and
 * cannot drop a waiter): at most `maxWaiting` queries wait for one of the `size` connections, and
 * none waits past its request's deadline (`currentDeadline`) or `acquireTimeoutMs`. Time spent
 * waiting is time taken from the request; a query that cannot get a connection in time is refused
 * (OVERLOADED: the database is busy, not down) instead of queueing work nobody waits for any more.
 */
function boundedQueue(pool: pg.Pool, size: number, queue: PoolQueue): PostgresPool {
  const permits = new Permits(size, queue.maxWaiting, "the database pool");
  return {
    connect: async () => {
      await permits.acquire(Math.min(Date.now() + queue.acquireTimeoutMs, currentDeadline()));
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        permits.release();
        throw err;
      }
      // pg gives each checkout a release function of its own; this one gives the permit back too.
      const release = client.release.bind(client);
      let released = false;
      client.release = (destroy?: boolean | Error) => {
        if (!released) {
          released = true;
          permits.release();
        }
        release(destroy);
      };
      return client;
    },
    end: () => pool.end(),
  };
}

export interface ServiceDatabaseOptions {
  /** The service's name: its embedded database lives in `<dataDir>/<service>/`. */
  readonly service: string;
  readonly schema: string;
  /** `DATABASE_URL`; unset runs the embedded database. */
  readonly url: string | undefined;
  /** `DATA_DIR`; `.data/` at the repository root when unset. */
  readonly dataDir: string | undefined;
  readonly poolSize?: number;
  readonly maxWaiting?: number;
  readonly acquireTimeoutMs?: number;
  readonly logger: Logger;
}

/** A service's database from its configuration, and one log line saying which mode it runs in. */
export function openServiceDatabase<DB>(o: ServiceDatabaseOptions): Database<DB> {
  const database = createDatabase<DB>({
    url: o.url,
    dataDir: embeddedDataDir(o.service, o.dataDir),
    schema: o.schema,
    poolSize: o.poolSize,
    maxWaiting: o.maxWaiting,
    acquireTimeoutMs: o.acquireTimeoutMs,
    logger: o.logger,
  });
  o.logger.info(
    { database: database.mode, location: database.location },
    database.mode === "embedded"
      ? `database: embedded Postgres (PGlite) in ${database.location} (no DATABASE_URL)`
      : `database: Postgres server ${database.location}`,
  );
  return database;
}

/** The URL with its password replaced, fit for a log line. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/**
 * `SELECT 1` over a connection of its own, so a busy pool (every connection in use under load)
 * never reads as a database that is down. The connection is kept between probes and replaced
 * after a failure.
 */
function serverProbe(url: string): { ping(timeoutMs: number): Promise<boolean>; close(): void } {
  let kept: pg.Client | null = null;
  let closed = false;
  const drop = (c: pg.Client) => {
    if (kept === c) kept = null;
    void c.end().catch(() => undefined);
  };
  const ping = async (timeoutMs: number): Promise<boolean> => {
    if (closed) return false;
    const c = kept ?? new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const probe = (async () => {
      if (c !== kept) {
        c.on("error", () => drop(c));
        kept = c;
        await c.connect();
      }
      await c.query("SELECT 1");
      return true;
    })().catch(() => false);
    const ok = await Promise.race([probe, timeout]).finally(() => clearTimeout(timer));
    if (!ok || closed) drop(c);
    return ok;
  };
  return {
    ping,
    close: () => {
      closed = true;
      if (kept) drop(kept);
    },
  };
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
export async function migrate<DB>(typedDb: Kysely<DB>, schema: string, dir: string, logger?: Logger): Promise<void> {
  // Migrations know no table types; the database's type is the caller's business.
  const db = typedDb as unknown as Kysely<unknown>;
  const since = performance.now();
  logger?.info({ schema }, `migrating schema ${schema}…`);
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db).catch((err: unknown) => {
    // Two replicas racing to create the schema: the loser sees a unique violation; the schema exists.
    if ((err as { code?: string }).code !== "23505") throw err;
  });
  const migrator = new Migrator({
    db,
    provider: new SqlFileMigrations(dir),
    migrationTableSchema: schema,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error("migration failed", { cause: error });
  const applied = results.filter((r) => r.status === "Success").map((r) => r.migrationName);
  logger?.info(
    { schema, applied, ms: Math.round(performance.now() - since) },
    applied.length > 0
      ? `schema ${schema}: ${applied.length} migration(s) applied (${applied.join(", ")})`
      : `schema ${schema} is up to date`,
  );
}
