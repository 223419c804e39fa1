import { sql, type Kysely } from "kysely";
import type { WalletStore } from "../../app/wallet-store.port";
import type { Wallet } from "../../domain/wallet";
import type { PaymentTables } from "./payment.tables";

export class WalletRepository implements WalletStore {
  constructor(private readonly db: Kysely<PaymentTables>) {}

  // One statement: the upsert and its ledger entry commit together or not at all.
  async credit(customerId: string, amountCents: number): Promise<Wallet> {
    const row = await this.db
      .with("credited", (db) =>
        db
          .insertInto("wallets")
          .values({ customer_id: customerId, balance_cents: amountCents })
          .onConflict((oc) =>
            oc.column("customer_id").doUpdateSet((eb) => ({
              balance_cents: eb("wallets.balance_cents", "+", eb.ref("excluded.balance_cents")),
              updated_at: sql<Date>`now()`,
            })),
          )
          .returning(["customer_id", "balance_cents"]),
      )
      .with("entry", (db) =>
        db
          .insertInto("wallet_entries")
          .columns(["customer_id", "kind", "amount_cents"])
          .expression((eb) =>
            eb
              .selectFrom("credited")
              .select((s) => ["customer_id", sql.lit("credit").as("kind"), s.cast<number>(s.val(amountCents), "bigint").as("amount_cents")]),
          ),
      )
      .selectFrom("credited")
      .select(["customer_id", "balance_cents"])
      .executeTakeFirstOrThrow();
    return { customerId: row.customer_id, balanceCents: row.balance_cents };
  }

  async find(customerId: string): Promise<Wallet | undefined> {
    const row = await this.db
      .selectFrom("wallets")
      .select(["customer_id", "balance_cents"])
      .where("customer_id", "=", customerId)
      .executeTakeFirst();
    return row && { customerId: row.customer_id, balanceCents: row.balance_cents };
  }
}
