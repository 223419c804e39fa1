import * as v from "valibot";
import { isChannelAddress } from "./grpc/target";

/** Thrown when the environment does not satisfy a service's config schema; names every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** A schema of the environment: an object whose keys are variable names (refined as a whole or not). */
export type EnvSchema = v.GenericSchema<Record<string, unknown>, Record<string, unknown>>;

/**
 * Parses the environment against a schema whose keys are the variable names, and freezes the result.
 * Fails fast with a message naming each offending variable.
 */
export function loadConfig<S extends EnvSchema>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<v.InferOutput<S>> {
  const parsed = v.safeParse(schema, env);
  if (!parsed.success) {
    const lines = parsed.issues.map((issue) => `  ${v.getDotPath(issue) ?? "(environment)"}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return Object.freeze(parsed.output);
}

/**
 * A variable that is unset, or empty (as compose files leave `VAR: ${VAR:-}`): undefined. (Unset
 * reads as empty first: a key whose schema has no default would be an optional key of the config.)
 */
export const optionalString = v.pipe(
  v.optional(v.string(), ""),
  v.transform((s) => (s === "" ? undefined : s)),
);

/** A non-empty string; unset or empty is `fallback`. */
export const stringOr = (fallback: string) =>
  v.pipe(
    optionalString,
    v.transform((s) => s ?? fallback),
  );

/** A number given as an environment string; unset or empty is `fallback`. */
export const numberOr = (fallback: number) =>
  v.pipe(
    optionalString,
    v.transform((s) => (s === undefined ? fallback : Number(s))),
    v.number("expected a number"),
  );

/** `true`/`false` (also 1/0, yes/no, on/off, enabled/disabled, in any case); unset or empty is `fallback`. */
export const booleanOr = (fallback: boolean) =>
  v.pipe(
    optionalString,
    v.transform((s) => s ?? String(fallback)),
    v.parseBoolean(undefined, "expected true or false"),
  );

/** As `booleanOr`, but unset or empty stays undefined (for a default that depends on other variables). */
export const optionalBoolean = v.pipe(
  optionalString,
  v.optional(v.pipe(v.string(), v.parseBoolean(undefined, "expected true or false"))),
);

/** A TCP port given as an environment string. */
export const port = (fallback: number) =>
  v.pipe(numberOr(fallback), v.integer("expected an integer"), v.minValue(0), v.maxValue(65535));

/** `METRICS_PORT`: where `/metrics` is served; 0 picks a free port, -1 serves no metrics. */
export const metricsPort = (fallback: number) =>
  v.pipe(numberOr(fallback), v.integer("expected an integer"), v.minValue(-1), v.maxValue(65535));

/** A host:port address. */
export const address = (fallback: string) =>
  v.pipe(stringOr(fallback), v.regex(/^[^\s:]+:\d{1,5}$/, "expected host:port"));

/**
 * A host:port address, or a comma-separated list of IPv4 host:port addresses: replicas of one service
 * that a gRPC client spreads its calls over (round robin). A list needs IP literals (grpc-js's static
 * `ipv4:` resolver); behind DNS, name one address that balances (a Kubernetes Service) instead.
 */
export const addresses = (fallback: string) =>
  v.pipe(
    stringOr(fallback),
    v.check(isChannelAddress, "expected host:port, or a comma-separated list of IPv4 host:port addresses"),
  );

/** A positive integer number of milliseconds (or count) given as an environment string. */
export const positiveInt = (fallback: number) =>
  v.pipe(numberOr(fallback), v.integer("expected an integer"), v.gtValue(0, "expected a positive number"));

/** A URL whose scheme matches `scheme` (`/^https?:$/`); unset or empty is undefined. */
export const optionalUrl = (scheme: RegExp, expected: string) =>
  v.pipe(
    optionalString,
    v.check((u) => u === undefined || (URL.canParse(u) && scheme.test(new URL(u).protocol)), `expected ${expected}`),
  );

/** A redis:// or rediss:// URL; unset or empty (as compose files often leave it) means "no Redis". */
export const optionalRedisUrl = optionalUrl(/^rediss?:$/, "a redis:// or rediss:// URL");

/** Prefix of every Redis key a service writes, so several deployments can share one Redis. */
export const redisKeyPrefix = v.pipe(
  v.optional(v.string(), "qc:"),
  v.maxLength(64),
  v.regex(/^\S*$/, "must not contain whitespace"),
);

export const logLevel = v.optional(v.picklist(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), "info");
