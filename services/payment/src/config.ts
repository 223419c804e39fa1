import { logLevel, port, positiveInt, postgresUrl } from "@qc/platform";
import { z } from "zod";

/** Environment of the Payment service, keyed by variable name; read once by `loadConfig`. */
export const paymentConfigSchema = z.object({
  DATABASE_URL: postgresUrl.default("postgres://postgres@127.0.0.1:5432/test"),
  PAYMENT_HOST: z.string().min(1).default("127.0.0.1"),
  PAYMENT_PORT: port(50053),
  DB_POOL_SIZE: positiveInt(10),
  LOG_LEVEL: logLevel,
  LOG_PRETTY: z.stringbool().default(false),
});

export type PaymentConfig = z.infer<typeof paymentConfigSchema>;
