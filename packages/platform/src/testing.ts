import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";

export { createTestPki, type TestCertificate, type TestPki } from "./grpc/test-pki";
export { capturedLogger } from "./testing/log-capture";
export { rejectionOf } from "./testing/rejection";
export { failureOf, serviceUnderTestClient } from "./testing/grpc-client";
export { parsePrometheusText, type PromFamily, type PromSample, type PromScrape } from "./testing/prometheus-text";

/** The server tests create their throw-away databases on (the machine's real Postgres). */
const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of its own, so test runs never see each other's rows. */
export async function createTestDatabase(prefix = "qc_test"): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The two adapters of every database port: a real Postgres server, and PGlite embedded in the process. */
export type DatabaseKind = "postgres" | "pglite";
export const databaseKinds: readonly DatabaseKind[] = ["postgres", "pglite"];

export interface TestStore {
  readonly kind: DatabaseKind;
  /** For `createDatabase` (add `schema`): a server URL, or the embedded database's directory. */
  readonly options: { readonly url?: string; readonly dataDir?: string };
  /** For a service's config: `DATABASE_URL`, or `DATA_DIR` (under which the service uses `<service>/`). */
  readonly env: Readonly<Record<string, string>>;
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * A fresh database of the given kind for `service`: a throw-away database on the machine's Postgres,
 * or an embedded one in a temporary directory (a copy of a template made once per machine, which
 * saves PGlite's initdb on every test file).
 */
export async function createTestStore(
  kind: DatabaseKind,
  service: string,
  prefix = `qc_${service}`,
): Promise<TestStore> {
  if (kind === "postgres") {
    const db = await createTestDatabase(prefix);
    return { kind, options: { url: db.url }, env: { DATABASE_URL: db.url }, name: db.name, drop: () => db.drop() };
  }
  const root = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const dataDir = join(root, service);
  await cp(await embeddedTemplate(), dataDir, { recursive: true });
  return {
    kind,
    options: { dataDir },
    env: { DATA_DIR: root },
    name: root,
    drop: () => rm(root, { recursive: true, force: true }),
  };
}

/** An initialised, empty PGlite data directory, shared by the test runs on this machine (copy it, never open it). */
export async function embeddedTemplate(): Promise<string> {
  const { PGlite } = await import("@electric-sql/pglite");
  const pkg = join(dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite")), "..", "package.json");
  const { version } = JSON.parse(await readFile(pkg, "utf8")) as { version: string };
  const template = join(tmpdir(), `qc-pglite-template-${version}`);
  if (existsSync(join(template, "PG_VERSION"))) return template;
  const staging = await mkdtemp(join(tmpdir(), "qc-pglite-staging-"));
  const lite = new PGlite(staging);
  await lite.waitReady;
  await lite.close();
  // Another worker may have won the race; either copy is as good.
  await rename(staging, template).catch(() => rm(staging, { recursive: true, force: true }));
  return template;
}

/** The machine's real Redis, which integration tests run against. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test run uses, so runs never see each other's keys. */
export const randomKeyPrefix = (): string => `qc-test:${randomBytes(8).toString("hex")}:`;

/** Deletes every key under `prefix` (and nothing else: never FLUSHALL a shared Redis). */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      const batch = keys as string[];
      if (batch.length > 0) await redis.del(...batch);
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * mulberry32: a tiny seeded PRNG (numbers in [0, 1)), the same sequence for a seed on every machine,
 * so a randomised test or chaos run can be replayed from its seed.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
