import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, migrate, type Database } from "@qc/platform/db";
import { createTestStore, databaseKinds, type TestStore } from "@qc/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresChargeLedger } from "../src/adapters/postgres/charge.repository";
import type { PaymentTables } from "../src/adapters/postgres/payment.tables";
import { PostgresWalletStore } from "../src/adapters/postgres/wallet.repository";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

describe.each(databaseKinds)("migration 0002 (a balance per currency) on %s", (kind) => {
  let store: TestStore;
  let database: Database<PaymentTables>;
  let before: string;

  beforeAll(async () => {
    store = await createTestStore(kind, "payment");
    database = createDatabase<PaymentTables>({ ...store.options, schema: "payment", poolSize: 2 });
    before = await mkdtemp(join(tmpdir(), "payment-migrations-"));
    for (const f of (await readdir(MIGRATIONS)).filter((name) => name < "0002"))
      await cp(join(MIGRATIONS, f), join(before, f));
  });
  afterAll(async () => {
    await database?.close();
    await store?.drop();
    await rm(before, { recursive: true, force: true });
  });

  it("makes every wallet its customer's USD balance, with its entries and charges, and the ledger goes on from there", async () => {
    const { db } = database;
    await migrate(db, "payment", before);
    // A ledger as the service wrote it before currencies: a credit of 1000, a charge of 300 that was
    // refunded, a charge of 200 kept, and a tombstone.
    await sql`
      WITH w AS (INSERT INTO wallets (customer_id, balance_cents) VALUES ('ann', 800)),
           c AS (INSERT INTO charges (order_id, customer_id, amount_cents, status, charge_id) VALUES
                   ('o-refunded', 'ann', 300, 'refunded', gen_random_uuid()),
                   ('o-kept', 'ann', 200, 'charged', gen_random_uuid()),
                   ('o-void', NULL, 0, 'voided', NULL))
      SELECT 1`.execute(db);
    await sql`
      INSERT INTO wallet_entries (customer_id, kind, amount_cents, order_id) VALUES
        ('ann', 'credit', 1000, NULL), ('ann', 'charge', 300, 'o-refunded'), ('ann', 'refund', 300, 'o-refunded'), ('ann', 'charge', 200, 'o-kept')`.execute(
      db,
    );

    await migrate(db, "payment", MIGRATIONS);

    const wallets = new PostgresWalletStore(db);
    expect(await wallets.find("ann", "USD")).toEqual({ customerId: "ann", currency: "USD", balanceCents: 800 });
    expect(await wallets.find("ann", "EUR")).toBeUndefined();
    const entries = await db.selectFrom("wallet_entries").select("currency").distinct().execute();
    expect(entries).toEqual([{ currency: "USD" }]);
    const charges = await db.selectFrom("charges").select(["order_id", "currency"]).orderBy("order_id").execute();
    expect(charges).toEqual([
      { order_id: "o-kept", currency: "USD" },
      { order_id: "o-refunded", currency: "USD" },
      { order_id: "o-void", currency: null },
    ]);

    // The kept charge refunds to USD; EUR is a balance of its own beside it.
    expect(await new PostgresChargeLedger(db).refund("o-kept")).toBe(true);
    expect(await wallets.credit("ann", "EUR", 50)).toEqual({ customerId: "ann", currency: "EUR", balanceCents: 50 });
    expect(await wallets.find("ann", "USD")).toEqual({ customerId: "ann", currency: "USD", balanceCents: 1_000 });
  });
});
