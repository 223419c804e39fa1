import { randomUUID } from "node:crypto";
import { status, type StatusObject } from "@grpc/grpc-js";
import { paymentV1 } from "@qc/contracts";
import { loadConfig } from "@qc/platform/config";
import { RemoteError, type PromiseClient } from "@qc/platform/grpc";
import { createTestStore, serviceUnderTestClient, type DatabaseKind } from "@qc/platform/testing";
import { sql, type Kysely } from "kysely";
import type { PaymentTables } from "../src/adapters/postgres/payment.tables";
import { buildApp, type PaymentApp } from "../src/app";
import { paymentConfigSchema } from "../src/config";

export { status };

export interface PaymentHarness {
  readonly app: PaymentApp;
  /** The service over a real gRPC socket, through the platform client (no retries, so each call is one attempt). */
  readonly client: PromiseClient<typeof paymentV1.PaymentServiceService>;
  /** Direct access to the service's schema, for assertions and audits only. */
  readonly db: Kysely<PaymentTables>;
  close(): Promise<void>;
}

/** A throw-away database (a real Postgres server's, or an embedded PGlite one), the service on port 0 against it, and a client. */
export async function startPayment(kind: DatabaseKind = "postgres"): Promise<PaymentHarness> {
  const database = await createTestStore(kind, "payment");
  const config = loadConfig(paymentConfigSchema, { ...database.env, PAYMENT_PORT: "0", LOG_LEVEL: "silent" });
  let app: PaymentApp;
  try {
    app = await buildApp(config);
  } catch (err) {
    await database.drop();
    throw err;
  }
  // Generous deadline: the concurrency tests queue hundreds of calls, on one session with the embedded database.
  const grpc = serviceUnderTestClient(paymentV1.PaymentServiceService, "payment", app.port, 20_000);
  return {
    app,
    client: grpc.call,
    // The app's own connection: an embedded database has a single session, which a second one would not share.
    db: app.db,
    close: async () => {
      grpc.close();
      await app.stop();
      await database.drop();
    },
  };
}

/** A fresh id, so tests sharing a database never touch each other's wallets or orders. */
export const uniqueId = (prefix: string): string => `${prefix}-${randomUUID()}`;

/** The error a call failed with; fails the test when the call succeeded. */
export async function rejectionOf(call: Promise<unknown>): Promise<RemoteError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof RemoteError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

/** The stable code as it travelled, in the trailing metadata of the gRPC status. */
export const metadataCode = (err: RemoteError): unknown => (err.cause as StatusObject).metadata.get("qc-error-code")[0];

/** The customer's balance in `currency`. */
export async function balanceOf(h: PaymentHarness, customerId: string, currency = "USD"): Promise<number> {
  const { wallet } = await h.client.getWallet({ customerId, currency });
  return wallet?.balanceCents ?? Number.NaN;
}

/** The sums of one currency's ledger: money never moves between currencies, so each must balance alone. */
export interface LedgerTotals {
  readonly credits: number;
  readonly balances: number;
  readonly charged: number;
  readonly refunded: number;
  /** Sum of amounts of charges still in status `charged`. */
  readonly held: number;
  readonly minBalance: number;
}

/** The ledger's totals per currency (every currency any wallet, entry or charge names). */
export async function ledgerTotals(db: Kysely<PaymentTables>): Promise<ReadonlyMap<string, LedgerTotals>> {
  const { rows } = await sql<LedgerTotals & { currency: string }>`
    WITH currencies AS (
      SELECT currency FROM wallets UNION SELECT currency FROM wallet_entries UNION SELECT currency FROM charges WHERE currency IS NOT NULL
    )
    SELECT
      c.currency,
      (SELECT coalesce(sum(amount_cents), 0)::bigint FROM wallet_entries WHERE currency = c.currency AND kind = 'credit') AS credits,
      (SELECT coalesce(sum(balance_cents), 0)::bigint FROM wallets WHERE currency = c.currency) AS balances,
      (SELECT coalesce(sum(amount_cents), 0)::bigint FROM wallet_entries WHERE currency = c.currency AND kind = 'charge') AS charged,
      (SELECT coalesce(sum(amount_cents), 0)::bigint FROM wallet_entries WHERE currency = c.currency AND kind = 'refund') AS refunded,
      (SELECT coalesce(sum(amount_cents), 0)::bigint FROM charges WHERE currency = c.currency AND status = 'charged') AS held,
      (SELECT coalesce(min(balance_cents), 0)::bigint FROM wallets WHERE currency = c.currency) AS "minBalance"
    FROM currencies c
  `.execute(db);
  return new Map(rows.map(({ currency, ...totals }) => [currency, totals]));
}
