import { z } from "zod";
import { isChannelAddress } from "./grpc/target";

/** Thrown when the environment does not satisfy a service's config schema; names every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Parses the environment against a schema whose keys are the variable names, and freezes the result.
 * Fails fast with a message naming each offending variable.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<z.infer<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return Object.freeze(parsed.data);
}

/** A TCP port given as an environment string. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** `METRICS_PORT`: where `/metrics` is served; 0 picks a free port, -1 serves no metrics. */
export const metricsPort = (fallback: number) => z.coerce.number().int().min(-1).max(65535).default(fallback);

/** A host:port address. */
export const address = (fallback: string) =>
  z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, "expected host:port")
    .default(fallback);

/**
 * A host:port address, or a comma-separated list of IPv4 host:port addresses: replicas of one service
 * that a gRPC client spreads its calls over (round robin). A list needs IP literals (grpc-js's static
 * `ipv4:` resolver); behind DNS, name one address that balances (a Kubernetes Service) instead.
 */
export const addresses = (fallback: string) =>
  z
    .string()
    .refine(isChannelAddress, "expected host:port, or a comma-separated list of IPv4 host:port addresses")
    .default(fallback);

/** A positive integer number of milliseconds (or count) given as an environment string. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), "expected a postgres:// URL");

/** A redis:// or rediss:// URL; unset or empty (as compose files often leave it) means "no Redis". */
export const optionalRedisUrl = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z
    .string()
    .url()
    .refine((u) => /^rediss?:\/\//.test(u), "expected a redis:// or rediss:// URL")
    .optional(),
);

/** Prefix of every Redis key a service writes, so several deployments can share one Redis. */
export const redisKeyPrefix = z.string().max(64).regex(/^\S*$/, "must not contain whitespace").default("qc:");

export const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");
