import { fileURLToPath } from "node:url";
import { paymentV1 } from "@qc/contracts";
import { openServiceDatabase, migrate } from "@qc/platform/db";
import { grpcTransport, implement, startGrpcServer } from "@qc/platform/grpc";
import { HealthService, serviceNameOf } from "@qc/platform/health";
import { createLogger, type Logger } from "@qc/platform/log";
import { poolOptionsOf } from "@qc/platform/runtime-config";
import type { Metrics } from "@qc/platform/observability";
import { paymentUseCases } from "./app/payment-use-cases";
import { paymentHandlers, type PaymentUseCases } from "./adapters/grpc/payment.grpc";
import { PostgresChargeLedger } from "./adapters/postgres/charge.repository";
import type { PaymentTables } from "./adapters/postgres/payment.tables";
import { PostgresWalletStore } from "./adapters/postgres/wallet.repository";
import type { PaymentConfig } from "./config";
import type { Kysely } from "kysely";

export { loadPaymentConfig, paymentConfigSchema, type PaymentConfig } from "./config";

const SCHEMA = "payment";
const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

/** The use cases by name, for in-process callers and tests; the gRPC server calls the same ones. */
export interface PaymentApp extends PaymentUseCases {
  /** The port the gRPC server is bound to (useful when configured as 0). */
  readonly port: number;
  /** The service's own schema, for audits and tests only. */
  readonly db: Kysely<PaymentTables>;
  /** Reports NOT_SERVING, stops the gRPC server (letting in-flight calls finish), then closes the database. */
  stop(): Promise<void>;
}

/** The composition root: database → migrations → repositories → use cases → gRPC server. */
export async function buildApp(
  config: PaymentConfig,
  overrides: { logger?: Logger; metrics?: Metrics } = {},
): Promise<PaymentApp> {
  const logger = overrides.logger ?? createLogger("payment", config.LOG_LEVEL, config.LOG_PRETTY);
  // Before anything is opened: bad TLS settings stop the start.
  const transport = grpcTransport(config);
  const database = openServiceDatabase<PaymentTables>({
    service: "payment",
    schema: SCHEMA,
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    ...poolOptionsOf(config),
    logger,
  });
  const { db } = database;
  try {
    await migrate(db, SCHEMA, MIGRATIONS_DIR, logger);
    const wallets = new PostgresWalletStore(db);
    const ledger = new PostgresChargeLedger(db);
    const payments: PaymentUseCases = paymentUseCases(wallets, ledger);
    // SERVING while the database answers.
    const health = new HealthService({
      services: [serviceNameOf(paymentV1.PaymentServiceService)],
      probes: { database: database.ping },
      logger,
    });
    await health.start();
    const server = await startGrpcServer(
      [
        health.grpcService,
        {
          definition: paymentV1.PaymentServiceService,
          implementation: implement(paymentV1.PaymentServiceService, paymentHandlers(payments), logger),
        },
      ],
      config.PAYMENT_HOST,
      config.PAYMENT_PORT,
      { transport, metrics: overrides.metrics },
    );
    return {
      ...payments,
      port: server.port,
      db,
      stop: async () => {
        health.shutdown();
        await server.stop(config.SHUTDOWN_TIMEOUT_MS / 2);
        await database.close();
      },
    };
  } catch (err) {
    // A failed start must not leave a pool holding the process open.
    await database.close();
    throw err;
  }
}
