import { address, addresses, loadConfig, logLevel, metricsPort, port, positiveInt, shutdownTimeoutMs } from "@qc/platform";
import { z } from "zod";

export const gatewayConfigSchema = z
  .object({
    GATEWAY_PORT: port(8080),
    GATEWAY_HOST: z.string().min(1).default("127.0.0.1"),
    /** Prometheus `/metrics` on a port of its own, never the public one (0: a free one, -1: none). */
    METRICS_PORT: metricsPort(9460),
    /** The order service: one address, or its replicas' IPv4 addresses comma-separated (calls round robin). */
    ORDER_ADDR: addresses("127.0.0.1:50051"),
    INVENTORY_ADDR: address("127.0.0.1:50052"),
    PAYMENT_ADDR: address("127.0.0.1:50053"),
    RIDER_ADDR: address("127.0.0.1:50054"),
    JWT_SECRET: z.string({ error: "is required (at least 16 characters)" }).min(16, "must be at least 16 characters"),
    /** How long CreateOrder waits for the saga before answering 202 with the PENDING order. */
    ORDER_WAIT_MS: positiveInt(3_000),
    /** Deadline of one upstream call attempt. */
    UPSTREAM_TIMEOUT_MS: positiveInt(5_000),
    BREAKER_THRESHOLD: positiveInt(5),
    BREAKER_HALF_OPEN_MS: positiveInt(5_000),
    BODY_LIMIT_BYTES: positiveInt(65_536),
    /** How long a SIGTERM may take: in-flight requests finish, new ones get 503. */
    SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs,
    LOG_LEVEL: logLevel,
    LOG_PRETTY: z.stringbool().default(false),
  })
  // CreateOrder holds the call open for up to ORDER_WAIT_MS; a shorter deadline would cut every slow saga off.
  .refine((c) => c.UPSTREAM_TIMEOUT_MS > c.ORDER_WAIT_MS, {
    path: ["UPSTREAM_TIMEOUT_MS"],
    message: "must exceed ORDER_WAIT_MS",
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> =>
  loadConfig(gatewayConfigSchema, env);
