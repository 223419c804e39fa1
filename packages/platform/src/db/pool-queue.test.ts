import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { withDeadline } from "../overload/deadline";
import { createTestStore, databaseKinds, type TestStore } from "../testing";
import { createDatabase, type Database } from "./database";

// A transaction that waits between its queries holds the (one-connection) pool, or the embedded session.
const hold = (database: Database<unknown>, ms: number) =>
  database.db.transaction().execute(async (trx) => {
    await sql`SELECT 1`.execute(trx);
    await new Promise((r) => setTimeout(r, ms));
  });
const ping = (database: Database<unknown>) => sql`SELECT 1`.execute(database.db);
/** `work`, and whether it has settled yet. */
const tracked = (work: Promise<unknown>) => {
  let settled = false;
  const done = work.finally(() => (settled = true));
  return { done, settled: () => settled };
};

describe.each(databaseKinds)("waiting for a connection (%s)", (kind) => {
  let store: TestStore | null = null;
  let database: Database<unknown> | null = null;
  afterEach(async () => {
    await database?.close();
    await store?.drop();
    store = database = null;
  });

  async function open(queue: { maxWaiting: number; acquireTimeoutMs: number }) {
    store = await createTestStore(kind, "poolqueue");
    database = createDatabase<unknown>({ ...store.options, schema: "pool_queue_test", poolSize: 1, ...queue });
    await ping(database); // opened (and, embedded, started) before the clock matters
    return database;
  }

  it("refuses a query at once (OVERLOADED) when the wait queue is full", async () => {
    const db = await open({ maxWaiting: 1, acquireTimeoutMs: 5_000 });
    const holding = tracked(hold(db, 300));
    await new Promise((r) => setTimeout(r, 20));
    const waiting = ping(db);
    await expect(ping(db)).rejects.toMatchObject({ kind: "unavailable", code: "OVERLOADED" });
    // At once: refused while the connection is still held, not once it came free (timed by the
    // order of events, which a loaded machine keeps, rather than by a wall-clock bound).
    expect(holding.settled()).toBe(false);
    await Promise.all([holding.done, waiting]);
  });

  it("stops waiting at the request's deadline: the wait counts against it", async () => {
    const db = await open({ maxWaiting: 10, acquireTimeoutMs: 5_000 });
    const holding = tracked(hold(db, 400));
    await new Promise((r) => setTimeout(r, 20));
    await expect(withDeadline(Date.now() + 100, () => ping(db))).rejects.toMatchObject({ code: "OVERLOADED" });
    expect(holding.settled()).toBe(false); // it gave up at the deadline, before the connection came free
    await holding.done;
    await expect(ping(db)).resolves.toBeDefined(); // the waiter that gave up left no permit behind
  });

  it("stops waiting after acquireTimeoutMs without a deadline", async () => {
    const db = await open({ maxWaiting: 10, acquireTimeoutMs: 100 });
    const holding = hold(db, 400);
    await new Promise((r) => setTimeout(r, 20));
    await expect(ping(db)).rejects.toMatchObject({ code: "OVERLOADED" });
    await holding;
  });
});
