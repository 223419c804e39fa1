import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql, type Generated } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStore, type TestStore } from "../testing";
import { createDatabase, migrate, type Database } from "./database";

interface Tables {
  counters: { id: string; n: number };
  events: { id: string; at: Generated<Date> };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let store: TestStore;
let database: Database<Tables>;
let migrations: string;

beforeAll(async () => {
  store = await createTestStore("pglite", "embedded");
  migrations = await mkdtemp(join(tmpdir(), "qc-embedded-migrations-"));
  await writeFile(
    join(migrations, "0001_counters.sql"),
    `CREATE TABLE counters (id text PRIMARY KEY, n bigint NOT NULL);
     CREATE TABLE events (id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp());`,
  );
  database = createDatabase<Tables>({ ...store.options, schema: "embedded_test" });
  await migrate(database.db, "embedded_test", migrations);
});

afterAll(async () => {
  await database?.close();
  await store?.drop();
  await rm(migrations, { recursive: true, force: true });
});

describe("embedded database (PGlite)", () => {
  it("lives in the service's schema and parses results as the server pool does", async () => {
    expect(database.mode).toBe("embedded");
    const { rows } = await sql<{ schema: string; big: number; at: Date; j: { a: number } }>`
      SELECT current_schema() AS schema, 9007199254740991::bigint AS big, now() AS at, json_build_object('a', 1) AS j`.execute(
      database.db,
    );
    expect(rows[0]).toMatchObject({ schema: "embedded_test", big: 9007199254740991, j: { a: 1 } });
    expect(rows[0]?.at).toBeInstanceOf(Date);
  });

  it("runs concurrent transactions one after another on its single session", async () => {
    await database.db.insertInto("counters").values({ id: "c", n: 0 }).execute();
    // Read, wait, write: interleaved on one session, the increments would overwrite each other.
    const increment = () =>
      database.db.transaction().execute(async (trx) => {
        const { n } = await trx
          .selectFrom("counters")
          .select("n")
          .where("id", "=", "c")
          .forUpdate()
          .executeTakeFirstOrThrow();
        await sleep(5);
        await trx
          .updateTable("counters")
          .set({ n: n + 1 })
          .where("id", "=", "c")
          .execute();
      });
    const plainReads = Array.from({ length: 10 }, () =>
      database.db.selectFrom("counters").select("n").where("id", "=", "c").executeTakeFirstOrThrow(),
    );
    await Promise.all([...Array.from({ length: 20 }, increment), ...plainReads]);
    const { n } = await database.db.selectFrom("counters").select("n").where("id", "=", "c").executeTakeFirstOrThrow();
    expect(n).toBe(20);
  });

  it("runs a query made through the plain db inside a transaction's callback in that transaction", async () => {
    const attempt = database.db.transaction().execute(async (trx) => {
      await trx.insertInto("events").values({ id: "inside-trx" }).execute();
      // Not `trx`: a use case calling another repository. It must neither wait for itself nor escape the rollback.
      await database.db.insertInto("events").values({ id: "inside-db" }).execute();
      throw new Error("roll back");
    });
    await expect(attempt).rejects.toThrow("roll back");
    const ids = await database.db
      .selectFrom("events")
      .select("id")
      .where("id", "in", ["inside-trx", "inside-db"])
      .execute();
    expect(ids).toEqual([]);
    // The session is free and usable again.
    await database.db.insertInto("events").values({ id: "after" }).execute();
  });

  it("refuses a nested transaction instead of waiting for itself", async () => {
    const nested = database.db.transaction().execute(async () => database.db.transaction().execute(async () => 1));
    await expect(nested).rejects.toThrow(/inside a transaction/);
  });

  it("keeps its data across a restart and refuses a second process on the same files", async () => {
    await database.db.insertInto("events").values({ id: "kept" }).execute();
    expect(() => createDatabase<Tables>({ ...store.options, schema: "embedded_test" })).toThrow(
      /already open in this process/,
    );
    await database.close();
    expect(await database.ping(100)).toBe(false);

    // A live process (our parent) holding the files: refused, naming it.
    const lock = `${store.options.dataDir}.lock`;
    await writeFile(lock, String(process.ppid));
    expect(() => createDatabase<Tables>({ ...store.options, schema: "embedded_test" })).toThrow(
      `in use by process ${process.ppid}`,
    );
    // A lock left by a process that is gone does not stand in the way.
    await writeFile(lock, "999999999");

    database = createDatabase<Tables>({ ...store.options, schema: "embedded_test" });
    await migrate(database.db, "embedded_test", migrations); // already applied: a no-op
    expect(await database.ping(100)).toBe(true);
    expect(await database.db.selectFrom("events").select("id").where("id", "=", "kept").executeTakeFirst()).toEqual({
      id: "kept",
    });
  });
});
