import { randomUUID } from "node:crypto";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, migrate, type Database } from "@qc/platform/db";
import { createTestStore, databaseKinds, type TestStore } from "@qc/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresOrderRepository } from "../src/adapters/postgres/order.repository";
import type { OrderDatabase } from "../src/adapters/postgres/order.tables";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

// History written before entries had codes, as the service wrote it then.
const OLD_HISTORY: readonly (readonly [step: string, outcome: string, detail: string, code: string])[] = [
  ["order", "created", "", "ORDER_CREATED"],
  ["reserve-stock", "done", "total 300 EUR", "STOCK_RESERVED"],
  [
    "charge-payment",
    "failed",
    "SERVICE_UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:50053",
    "SERVICE_UNAVAILABLE",
  ],
  [
    "release-stock",
    "retry",
    "attempt 1 failed: DEADLINE_EXCEEDED: deadline exceeded after 5000 ms",
    "DEADLINE_EXCEEDED",
  ],
  ["release-stock", "dead-lettered", "something broke", "INTERNAL"],
  ["release-stock", "done", "dead letter resolved by redrive", "STOCK_RELEASED"],
  ["saga", "failed", "SERVICE_UNAVAILABLE", "SERVICE_UNAVAILABLE"],
  ["assign-rider", "revoked", "rider r-1 already carried another active order", "RIDER_UNASSIGNED"],
  ["some-new-step", "done", "", "SOME_NEW_STEP_DONE"],
];

describe.each(databaseKinds)("migration 0004 (history codes) on %s", (kind) => {
  let store: TestStore;
  let database: Database<OrderDatabase>;
  let before: string;

  beforeAll(async () => {
    store = await createTestStore(kind, "order");
    database = createDatabase<OrderDatabase>({ ...store.options, schema: "orders", poolSize: 2 });
    before = await mkdtemp(join(tmpdir(), "order-migrations-"));
    for (const f of (await readdir(MIGRATIONS)).filter((name) => name < "0004"))
      await cp(join(MIGRATIONS, f), join(before, f));
  });
  afterAll(async () => {
    await database?.close();
    await store?.drop();
    await rm(before, { recursive: true, force: true });
  });

  it("gives every entry written before it the code the service writes now; details stay as they were", async () => {
    await migrate(database.db, "orders", before);
    const id = randomUUID();
    await sql`INSERT INTO orders (id, customer_id, status, failure_reason) VALUES (${id}::uuid, 'alice', 'FAILED', 'SERVICE_UNAVAILABLE')`.execute(
      database.db,
    );
    for (const [step, outcome, detail] of OLD_HISTORY) {
      await sql`INSERT INTO order_history (order_id, step, outcome, detail) VALUES (${id}::uuid, ${step}, ${outcome}, ${detail})`.execute(
        database.db,
      );
    }
    await migrate(database.db, "orders", MIGRATIONS);
    const order = await new PostgresOrderRepository(database.db).get(id);
    expect(order?.history.map((h) => [h.step, h.outcome, h.detail, h.code])).toEqual(OLD_HISTORY);
  });
});
