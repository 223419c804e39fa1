import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStore, databaseKinds, type TestStore } from "../testing";
import { createDatabase, type Database } from "./database";
import type { Listening } from "./listen";

const until = async (done: () => boolean, what: string, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.each(databaseKinds)("LISTEN/NOTIFY on %s", (kind) => {
  let store: TestStore;
  let database: Database<Record<string, never>>;
  let listening: Listening | null = null;
  const got: string[] = [];
  let gaps = 0;

  beforeAll(async () => {
    store = await createTestStore(kind, "listen");
    database = createDatabase({ ...store.options, schema: "listen_test" });
    listening = await database.listen("listen_test", { onNotification: (p) => got.push(p), onGap: () => gaps++ });
  });

  afterAll(async () => {
    await listening?.close();
    await database?.close();
    await store?.drop();
  });

  it("delivers a NOTIFY once its transaction commits, and nothing from a rolled back one", async () => {
    await database.db.transaction().execute(async (tx) => {
      await sql`SELECT pg_notify('listen_test', 'a')`.execute(tx);
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toEqual([]);
    });
    await until(() => got.includes("a"), "a");
    await database.db
      .transaction()
      .execute(async (tx) => {
        await sql`SELECT pg_notify('listen_test', 'rolled-back')`.execute(tx);
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await sql`SELECT pg_notify('other_channel', 'b'), pg_notify('listen_test', 'c')`.execute(database.db);
    await until(() => got.includes("c"), "c");
    expect(got).toEqual(["a", "c"]);
  });

  it("refuses a channel that is no plain name", async () => {
    await expect(
      database.listen("x; DROP TABLE t", { onNotification: () => undefined, onGap: () => undefined }),
    ).rejects.toThrow(/invalid notification channel/);
  });

  it.runIf(kind === "postgres")("listens again after its connection is cut, and reports the gap", async () => {
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
               WHERE datname = current_database() AND query LIKE 'LISTEN listen_test%' AND pid <> pg_backend_pid()`.execute(
      database.db,
    );
    await until(() => gaps === 1, "the gap");
    await sql`SELECT pg_notify('listen_test', 'after')`.execute(database.db);
    await until(() => got.includes("after"), "a notification after the gap");
  });
});
