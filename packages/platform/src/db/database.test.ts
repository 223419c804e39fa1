import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing";
import { createDatabase, isConnectionError } from "./database";

describe("isConnectionError", () => {
  const withCode = (code: string, message = "boom") => Object.assign(new Error(message), { code });
  it.each([
    ["too many connections (53300, seen under chaos)", withCode("53300", "sorry, too many clients already")],
    ["out of memory on the server (53200)", withCode("53200")],
    ["the server shutting down (57P02)", withCode("57P02")],
    [
      "a connection that died before this query (pg, no code)",
      new Error("Client has encountered a connection error and is not queryable"),
    ],
    ["a closed client (pg, no code)", new Error("Client was closed and is not queryable")],
  ])("takes %s for an unavailable database", (_name, err) => {
    expect(isConnectionError(err)).toBe(true);
  });

  it("leaves a wrong query alone", () => {
    expect(isConnectionError(withCode("42601", "syntax error"))).toBe(false);
  });
});

describe("a Postgres database whose server ends its connections", () => {
  let server: TestDatabase;
  beforeAll(async () => {
    server = await createTestDatabase("qc_db");
  });
  afterAll(() => server.drop());

  const terminateOthers = async () => {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const { rowCount } = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [server.name],
    );
    await admin.end();
    return rowCount ?? 0;
  };

  it("survives a backend terminated while a transaction holds its connection between queries, and then works again", async () => {
    const database = createDatabase<Record<string, never>>({ url: server.url, schema: "public", poolSize: 2 });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    try {
      const inTransaction = database.db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        // The connection is checked out and idle between two queries, as while awaiting another call.
        expect(await terminateOthers()).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 200));
        await sql`SELECT 1`.execute(trx);
      });
      await expect(inTransaction).rejects.toThrow();
      expect(uncaught).toEqual([]);
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      process.off("uncaughtException", onUncaught);
      await database.close();
    }
  });
});
