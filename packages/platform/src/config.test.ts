import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  booleanOr,
  loadConfig,
  logLevel,
  metricsPort,
  optionalBoolean,
  optionalRedisUrl,
  optionalString,
  port,
  positiveInt,
  redisKeyPrefix,
  stringOr,
} from "./config";

const schema = v.object({
  PORT: port(8080),
  METRICS_PORT: metricsPort(9460),
  TIMEOUT_MS: positiveInt(250),
  HOST: stringOr("127.0.0.1"),
  NAME: optionalString,
  PRETTY: booleanOr(false),
  DOCS: optionalBoolean,
  REDIS_URL: optionalRedisUrl,
  REDIS_KEY_PREFIX: redisKeyPrefix,
  LOG_LEVEL: logLevel,
});

describe("loadConfig", () => {
  it("gives every unset variable its default, and takes what is set", () => {
    expect(loadConfig(schema, {})).toEqual({
      PORT: 8080,
      METRICS_PORT: 9460,
      TIMEOUT_MS: 250,
      HOST: "127.0.0.1",
      NAME: undefined,
      PRETTY: false,
      DOCS: undefined,
      REDIS_URL: undefined,
      REDIS_KEY_PREFIX: "qc:",
      LOG_LEVEL: "info",
    });
    expect(
      loadConfig(schema, {
        PORT: "0",
        METRICS_PORT: "-1",
        TIMEOUT_MS: "1000",
        HOST: "0.0.0.0",
        NAME: "a",
        PRETTY: "TRUE",
        DOCS: "off",
        REDIS_URL: "rediss://cache:6380/1",
        REDIS_KEY_PREFIX: "",
        LOG_LEVEL: "debug",
      }),
    ).toEqual({
      PORT: 0,
      METRICS_PORT: -1,
      TIMEOUT_MS: 1000,
      HOST: "0.0.0.0",
      NAME: "a",
      PRETTY: true,
      DOCS: false,
      REDIS_URL: "rediss://cache:6380/1",
      REDIS_KEY_PREFIX: "",
      LOG_LEVEL: "debug",
    });
  });

  it("reads an empty variable (compose's `VAR: ${VAR:-}`) as unset", () => {
    const empty = Object.fromEntries(
      ["PORT", "TIMEOUT_MS", "HOST", "NAME", "PRETTY", "DOCS", "REDIS_URL"].map((k) => [k, ""]),
    );
    expect(loadConfig(schema, empty)).toMatchObject({
      PORT: 8080,
      TIMEOUT_MS: 250,
      HOST: "127.0.0.1",
      NAME: undefined,
      PRETTY: false,
      DOCS: undefined,
      REDIS_URL: undefined,
    });
  });

  it("refuses bad values with a ConfigError naming every bad variable, in the schema's order", () => {
    const load = () =>
      loadConfig(schema, {
        PORT: "65536",
        METRICS_PORT: "-2",
        TIMEOUT_MS: "1.5",
        PRETTY: "maybe",
        REDIS_URL: "http://cache:6379",
        REDIS_KEY_PREFIX: "a b",
        LOG_LEVEL: "loud",
      });
    expect(load).toThrow(ConfigError);
    // One line per bad variable, each named, in the schema's order, and nothing else.
    expect(load).toThrow(
      new RegExp(
        [
          "^invalid configuration:",
          "  PORT: [^\\n]+",
          "  METRICS_PORT: [^\\n]+",
          "  TIMEOUT_MS: expected an integer",
          "  PRETTY: expected true or false",
          "  REDIS_URL: expected a redis:// or rediss:// URL",
          "  REDIS_KEY_PREFIX: [^\\n]+",
          "  LOG_LEVEL: [^\\n]+$",
        ].join("\n"),
      ),
    );
  });

  it("refuses a number that is no number, and zero where only a positive one will do", () => {
    expect(() => loadConfig(schema, { PORT: "http" })).toThrow(/PORT: expected a number/);
    expect(() => loadConfig(schema, { TIMEOUT_MS: "0" })).toThrow(/TIMEOUT_MS: expected a positive number/);
  });

  it("freezes what it returns", () => {
    expect(Object.isFrozen(loadConfig(schema, {}))).toBe(true);
  });
});
