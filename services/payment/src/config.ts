import { booleanOr, loadConfig, logLevel, metricsPort, port, stringOr } from "@qc/platform/config";
import { grpcTlsConfig } from "@qc/platform/grpc";
import { optionalPostgresUrl, dataDir, shutdownTimeoutMs, databasePoolConfig } from "@qc/platform/runtime-config";
import * as v from "valibot";

/** Environment of the Payment service, keyed by variable name; read once by `loadConfig`. */
export const paymentConfigSchema = v.object({
  // Unset: the embedded database (PGlite) in <DATA_DIR>/payment/, so a fresh machine needs nothing but Node.js.
  DATABASE_URL: optionalPostgresUrl,
  DATA_DIR: dataDir,
  SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs,
  PAYMENT_HOST: stringOr("127.0.0.1"),
  PAYMENT_PORT: port(50053),
  /** Prometheus `/metrics` on its own port (0: a free one, -1: none). */
  METRICS_PORT: metricsPort(9463),
  ...databasePoolConfig,
  /** Mutual TLS for gRPC (all three, or none for plaintext); checked and read by `grpcTransport`. */
  ...grpcTlsConfig,
  LOG_LEVEL: logLevel,
  LOG_PRETTY: booleanOr(false),
});

export type PaymentConfig = v.InferOutput<typeof paymentConfigSchema>;

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadPaymentConfig(env: NodeJS.ProcessEnv = process.env): Readonly<PaymentConfig> {
  return loadConfig(paymentConfigSchema, env);
}
