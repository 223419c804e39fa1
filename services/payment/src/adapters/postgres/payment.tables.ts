import type { Generated } from "kysely";
import type { ChargeStatus } from "../../domain/charge";

/** One row per (customer, currency): a balance. */
export interface WalletsTable {
  customer_id: string;
  currency: string;
  balance_cents: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ChargesTable {
  order_id: string;
  customer_id: string | null;
  amount_cents: number;
  /** Null only for a voided tombstone, as customer_id. */
  currency: string | null;
  status: ChargeStatus;
  charge_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WalletEntriesTable {
  id: Generated<number>;
  customer_id: string;
  currency: string;
  kind: "credit" | "charge" | "refund";
  amount_cents: number;
  order_id: string | null;
  created_at: Generated<Date>;
}

/** The `payment` schema as Kysely sees it. */
export interface PaymentTables {
  wallets: WalletsTable;
  charges: ChargesTable;
  wallet_entries: WalletEntriesTable;
}
