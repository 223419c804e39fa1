import { sql, type Kysely, type Selectable } from "kysely";
import type { WalletStore } from "../../app/wallet-store.port";
import type { Wallet } from "../../domain/wallet";
import type { PaymentTables, WalletsTable } from "./payment.tables";

type WalletRow = Pick<Selectable<WalletsTable>, "customer_id" | "currency" | "balance_cents">;

const toWallet = (row: WalletRow): Wallet => ({
  customerId: row.customer_id,
  currency: row.currency,
  balanceCents: row.balance_cents,
});

export class PostgresWalletStore implements WalletStore {
  constructor(private readonly db: Kysely<PaymentTables>) {}

  // One statement: the upsert and its ledger entry commit together or not at all.
  async credit(customerId: string, currency: string, amountCents: number): Promise<Wallet> {
    const row = await this.db
      .with("credited", (db) =>
        db
          .insertInto("wallets")
          .values({ customer_id: customerId, currency, balance_cents: amountCents })
          .onConflict((oc) =>
            oc.columns(["customer_id", "currency"]).doUpdateSet((eb) => ({
              balance_cents: eb("wallets.balance_cents", "+", eb.ref("excluded.balance_cents")),
              updated_at: sql<Date>`now()`,
            })),
          )
          .returning(["customer_id", "currency", "balance_cents"]),
      )
      .with("entry", (db) =>
        db
          .insertInto("wallet_entries")
          .columns(["customer_id", "currency", "kind", "amount_cents"])
          .expression((eb) =>
            eb
              .selectFrom("credited")
              .select((s) => [
                "customer_id",
                "currency",
                sql.lit("credit").as("kind"),
                s.cast<number>(s.val(amountCents), "bigint").as("amount_cents"),
              ]),
          ),
      )
      .selectFrom("credited")
      .select(["customer_id", "currency", "balance_cents"])
      .executeTakeFirstOrThrow();
    return toWallet(row);
  }

  async find(customerId: string, currency: string): Promise<Wallet | undefined> {
    const row = await this.db
      .selectFrom("wallets")
      .select(["customer_id", "currency", "balance_cents"])
      .where("customer_id", "=", customerId)
      .where("currency", "=", currency)
      .executeTakeFirst();
    return row && toWallet(row);
  }
}
