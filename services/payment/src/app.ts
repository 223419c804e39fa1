import { fileURLToPath } from "node:url";
import { paymentV1 } from "@qc/contracts";
import { createDatabase, createLogger, implement, migrate, startGrpcServer, type Logger } from "@qc/platform";
import { PaymentService } from "./app/payment.service";
import { paymentHandlers } from "./adapters/grpc/payment.grpc";
import { ChargeRepository } from "./adapters/postgres/charge.repository";
import type { PaymentTables } from "./adapters/postgres/payment.tables";
import { WalletRepository } from "./adapters/postgres/wallet.repository";
import type { PaymentConfig } from "./config";

export { PaymentService } from "./app/payment.service";
export { paymentConfigSchema, type PaymentConfig } from "./config";

const SCHEMA = "payment";
const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

export interface PaymentApp {
  /** The use cases, for in-process callers and tests; the gRPC server calls the same object. */
  readonly payments: PaymentService;
  /** The port the gRPC server is bound to (useful when configured as 0). */
  readonly port: number;
  /** Stops the gRPC server (letting in-flight calls finish), then closes the database pool. */
  stop(): Promise<void>;
}

/** The composition root: database → migrations → repositories → use cases → gRPC server. */
export async function buildApp(config: PaymentConfig, overrides: { logger?: Logger } = {}): Promise<PaymentApp> {
  const logger = overrides.logger ?? createLogger("payment", config.LOG_LEVEL, config.LOG_PRETTY);
  const { db } = createDatabase<PaymentTables>({ url: config.DATABASE_URL, schema: SCHEMA, poolSize: config.DB_POOL_SIZE });
  try {
    await migrate(db, SCHEMA, MIGRATIONS_DIR);
    const payments = new PaymentService(new WalletRepository(db), new ChargeRepository(db));
    const server = await startGrpcServer(
      [
        {
          definition: paymentV1.PaymentServiceService,
          implementation: implement(paymentV1.PaymentServiceService, paymentHandlers(payments), logger),
        },
      ],
      config.PAYMENT_HOST,
      config.PAYMENT_PORT,
    );
    return {
      payments,
      port: server.port,
      stop: async () => {
        await server.stop();
        await db.destroy();
      },
    };
  } catch (err) {
    // A failed start must not leave a pool holding the process open.
    await db.destroy();
    throw err;
  }
}
