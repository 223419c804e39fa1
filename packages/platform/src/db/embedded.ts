import { AsyncLocalStorage } from "node:async_hooks";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
// Types only: PGlite (megabytes of JavaScript and WebAssembly) is loaded when an embedded database
// opens, so a service on a Postgres server never loads it.
import type { PGlite } from "@electric-sql/pglite";
import type { Kysely, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import pg from "pg";
import { currentDeadline } from "../overload/deadline";
import { Permits } from "../overload/permits";
import { checkChannel } from "./listen";
import { setTypeParsers } from "./type-parsers";

/**
 * The embedded Postgres (PGlite: real Postgres compiled to WebAssembly, in this process) behind the
 * same Kysely PostgresDialect and the same `pg` client code as a real server. PGlite's wire-protocol
 * adapter for node-postgres gives one `pg.Client`, so results are parsed by the very same type
 * parsers (BIGINT as number, timestamptz as Date, json) and errors carry the same SQLSTATE codes.
 *
 * PGlite is one backend session. This "pool" therefore hands out its single client to one holder at
 * a time (a FIFO mutex): a Kysely transaction holds it from BEGIN to COMMIT, and every other query or
 * transaction queues behind it, so two transactions never interleave on the session. A use case that
 * queries through the plain `db` from inside a transaction callback would wait for itself; queries
 * made in the async context of a running transaction therefore join it (see `scopeConnections`).
 */

/**
 * The repository root (`.data/` lives here unless DATA_DIR says otherwise): the nearest folder above
 * `from` whose package.json declares the npm workspaces. Found by looking, not by counting `../`, as
 * this code runs from its source (packages/platform/src/db/) and compiled into a service's
 * `dist/main.js` alike.
 */
export function repositoryRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if (Array.isArray((JSON.parse(readFileSync(manifest, "utf8")) as { workspaces?: unknown }).workspaces))
          return dir;
      } catch {
        // not a readable manifest: keep looking
      }
    }
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** Where a service keeps its embedded database: `<DATA_DIR or <repo>/.data>/<service>`. */
export function embeddedDataDir(service: string, dataDir?: string): string {
  return join(dataDir ? resolve(dataDir) : join(repositoryRoot(), ".data"), service);
}

import { defaultPoolQueue, type PoolQueue } from "./pool-queue";

export { defaultPoolQueue, type PoolQueue };

/** The transaction (or connection) that owns the session in this async context, if any. */
interface Holder {
  held: boolean;
}

class SessionPool implements PostgresPool {
  readonly scope = new AsyncLocalStorage<Holder>();
  private client: pg.Client | null = null;
  private opening: Promise<pg.Client> | null = null;
  /** The session, one holder at a time (first come, first served), with a bounded wait queue. */
  private readonly session: Permits;
  private resetNeeded = false;
  private ended = false;

  constructor(
    private readonly lite: Lazy<PGlite>,
    private readonly schema: string,
    private readonly onEnd: () => Promise<void>,
    private readonly queue: PoolQueue,
  ) {
    this.session = new Permits(1, queue.maxWaiting, "the embedded database");
  }

  async connect(): Promise<PostgresPoolClient> {
    const holder = this.scope.getStore();
    if (holder?.held) return this.joined(holder);
    await this.lock();
    try {
      const client = await this.open();
      if (this.resetNeeded) {
        // A rollback failed and Kysely discarded the connection: the session may still be in a transaction.
        this.resetNeeded = false;
        await client.query("ROLLBACK").catch(() => undefined);
      }
      if (holder) holder.held = true;
      let released = false;
      return {
        query: ((text: string, params: readonly unknown[]) =>
          client.query(text, params as unknown[])) as unknown as PostgresPoolClient["query"],
        release: (destroy?: boolean) => {
          if (released) return;
          released = true;
          if (destroy) this.resetNeeded = true;
          if (holder) holder.held = false;
          this.unlock();
        },
      };
    } catch (err) {
      this.unlock();
      throw err;
    }
  }

  /** A query from inside a running transaction's callback: it runs in that transaction. */
  private joined(holder: Holder): PostgresPoolClient {
    const query = async <R>(text: string, params: readonly unknown[]): Promise<PostgresQueryResult<R>> => {
      const client = await this.open();
      // Started after its transaction ended (not awaited inside the callback): take its turn instead.
      if (holder.held) return client.query(text, params as unknown[]) as unknown as PostgresQueryResult<R>;
      await this.lock();
      try {
        return (await client.query(text, params as unknown[])) as unknown as PostgresQueryResult<R>;
      } finally {
        this.unlock();
      }
    };
    return { query: query as unknown as PostgresPoolClient["query"], release: () => undefined };
  }

  /**
   * LISTEN on the session, so `onNotification` gets the payload of every NOTIFY on `channel`: this
   * process is the only one on these files, so its own writes are all there is, and Postgres delivers
   * a session's notifications to itself once their transaction commits. The session lives as long as
   * the process, so the LISTEN is never lost (nothing is missed: no gap to report).
   */
  async listen(channel: string, onNotification: (payload: string) => void): Promise<{ close(): Promise<void> }> {
    checkChannel(channel);
    const handler = (n: pg.Notification) => {
      if (n.channel === channel) onNotification(n.payload ?? "");
    };
    await this.lock();
    let client: pg.Client;
    try {
      client = await this.open();
      client.on("notification", handler);
      await client.query(`LISTEN ${channel}`);
    } finally {
      this.unlock();
    }
    return { close: async () => void client.off("notification", handler) };
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    // Let queued work finish, then close the session and the database files.
    await this.session.acquire(Number.POSITIVE_INFINITY, false);
    try {
      await this.client?.end().catch(() => undefined);
      this.client = null;
      await this.onEnd();
    } finally {
      this.unlock();
    }
  }

  private open(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    if (this.ended) return Promise.reject(new Error("the embedded database is closed"));
    this.opening ??= (async () => {
      const lite = await this.lite.get();
      const { createPgConfig } = await import("@electric-sql/pglite/node-postgres");
      const client = new pg.Client(createPgConfig(lite));
      client.on("error", () => undefined);
      await client.connect();
      // One session for the life of the process: the service's schema is its search_path, as the
      // server pool's `options=-c search_path=` does for each of its connections.
      await client.query(`SET search_path TO ${this.schema}`);
      this.client = client;
      return client;
    })().finally(() => (this.opening = null));
    return this.opening;
  }

  /** Waits for the session: at most `acquireTimeoutMs`, and not past the request's deadline. */
  private lock(): Promise<void> {
    return this.session.acquire(Math.min(Date.now() + this.queue.acquireTimeoutMs, currentDeadline()));
  }

  private unlock(): void {
    this.session.release();
  }
}

/** A pid file beside the data directory: a second process on the same files would corrupt them. */
function lockDataDir(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createExclusive(file, String(process.pid))) return () => rmSync(file, { force: true });
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    if (pid === process.pid) throw new Error(`the embedded database ${dataDir} is already open in this process`);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new Error(
        `the embedded database ${dataDir} is in use by process ${pid} (stop it, or set DATA_DIR or DATABASE_URL)`,
      );
    }
    rmSync(file, { force: true }); // left by a process that is gone
  }
  throw new Error(`cannot lock the embedded database ${dataDir}`);
}

/** Creates `file` with `content` unless it exists (false then). */
function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface EmbeddedDatabase {
  readonly pool: PostgresPool;
  readonly dataDir: string;
  /** True while the database is open (it lives in this process: open means reachable). */
  alive(): boolean;
  /** Makes transactions and connections of `db` hold the session for the queries of their callbacks. */
  scopeConnections<DB>(db: Kysely<DB>): Kysely<DB>;
  /** LISTEN on the session (see `SessionPool.listen`). */
  listen(channel: string, onNotification: (payload: string) => void): Promise<{ close(): Promise<void> }>;
}

/** A value made on first use, once. */
interface Lazy<T> {
  get(): Promise<T>;
  /** The value if it has been made. */
  peek(): T | null;
}

/**
 * Opens the PGlite database in `dataDir`. The first time, initdb runs in a folder beside it that is
 * renamed into place only once complete, so a process killed during its first start never leaves a
 * half-initialised database behind.
 */
async function startPGlite(dataDir: string, progress: EmbeddedProgress): Promise<PGlite> {
  const since = performance.now();
  const { PGlite } = await import("@electric-sql/pglite");
  const seconds = () => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    progress(`initialising the embedded database in ${dataDir} (first start: initdb, a few seconds)…`);
    const staging = `${dataDir}.init-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    const fresh = new PGlite(staging);
    await fresh.waitReady;
    await fresh.close();
    rmSync(dataDir, { recursive: true, force: true }); // an empty folder, or what a failed start left
    renameSync(staging, dataDir);
    progress(`embedded database initialised in ${seconds()}`);
  }
  progress("opening the embedded database…");
  const lite = new PGlite(dataDir);
  await lite.waitReady;
  progress(`embedded database open (${seconds()})`);
  return lite;
}

/** Where the embedded database says what it is doing while it starts (initdb, opening). */
export type EmbeddedProgress = (message: string) => void;

/** Opens (creating on first use) the PGlite database in `dataDir`, with `schema` as its search_path. */
export function openEmbeddedDatabase(
  dataDir: string,
  schema: string,
  queue: PoolQueue = defaultPoolQueue,
  progress: EmbeddedProgress = () => undefined,
): EmbeddedDatabase {
  setTypeParsers();
  mkdirSync(dirname(dataDir), { recursive: true });
  const unlock = lockDataDir(dataDir);
  // Initialisations that a killed process left half done (we hold the lock: nobody else is at it).
  const prefix = `${basename(dataDir)}.init-`;
  for (const entry of readdirSync(dirname(dataDir))) {
    if (entry.startsWith(prefix)) rmSync(join(dirname(dataDir), entry), { recursive: true, force: true });
  }
  let started: Promise<PGlite> | null = null;
  let lite: PGlite | null = null;
  const lazy: Lazy<PGlite> = {
    get: () =>
      (started ??= startPGlite(dataDir, progress).then((l) => {
        lite = l;
        return l;
      })),
    peek: () => lite,
  };
  const close = async () => {
    try {
      const opened = await started?.catch(() => null);
      if (opened && !opened.closed) await opened.close();
    } finally {
      unlock();
    }
  };
  const pool = new SessionPool(lazy, schema, close, queue);
  return {
    pool,
    dataDir,
    alive: () => {
      const l = lazy.peek();
      return l !== null && !l.closed;
    },
    scopeConnections: (db) => scopeConnections(db, pool.scope),
    listen: (channel, onNotification) => pool.listen(channel, onNotification),
  };
}

/**
 * Runs every `execute` of `db.transaction()` and `db.connection()` in an async context of its own,
 * so the pool knows which queries belong to the callback holding the session. The builders are
 * wrapped, not changed: `setIsolationLevel` and the like return wrapped builders too.
 */
function scopeConnections<DB>(db: Kysely<DB>, scope: AsyncLocalStorage<Holder>): Kysely<DB> {
  const wrap = <B extends object>(builder: B): B =>
    new Proxy(builder, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "execute") {
          return (callback: unknown) => {
            if (scope.getStore()?.held) {
              return Promise.reject(
                new Error("a transaction inside a transaction is not supported by the embedded database"),
              );
            }
            return scope.run({ held: false }, () => (value as (cb: unknown) => unknown).call(target, callback));
          };
        }
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result !== null && typeof result === "object" && "execute" in result ? wrap(result) : result;
        };
      },
    });
  const transaction = db.transaction.bind(db);
  const connection = db.connection.bind(db);
  db.transaction = () => wrap(transaction());
  db.connection = () => wrap(connection());
  return db;
}
