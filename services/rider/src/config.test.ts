import { ConfigError, loadConfig } from "@qc/platform/config";
import { describe, expect, it } from "vitest";
import { riderConfigSchema } from "./config";

describe("rider config", () => {
  it("has defaults for a local run, in-process without REDIS_URL", () => {
    expect(loadConfig(riderConfigSchema, {})).toEqual({
      REDIS_URL: undefined,
      REDIS_KEY_PREFIX: "qc:",
      REDIS_TIMEOUT_MS: 1_000,
      RIDER_HOST: "127.0.0.1",
      RIDER_PORT: 50054,
      METRICS_PORT: 9464,
      RIDER_STALE_MS: 60_000,
      RIDER_ASSIGN_RADIUS_KM: 10,
      RIDER_RELEASED_RETENTION_MS: 86_400_000,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      LOG_LEVEL: "info",
      LOG_PRETTY: false,
    });
  });

  it("treats an empty REDIS_URL as unset", () => {
    expect(loadConfig(riderConfigSchema, { REDIS_URL: "" }).REDIS_URL).toBeUndefined();
    expect(loadConfig(riderConfigSchema, { REDIS_URL: "redis://127.0.0.1:6379" }).REDIS_URL).toBe(
      "redis://127.0.0.1:6379",
    );
  });

  it("fails fast naming each bad variable", () => {
    const load = () =>
      loadConfig(riderConfigSchema, {
        REDIS_URL: "http://x",
        RIDER_PORT: "70000",
        RIDER_STALE_MS: "0",
        RIDER_ASSIGN_RADIUS_KM: "51",
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/REDIS_URL[\s\S]*RIDER_PORT[\s\S]*RIDER_STALE_MS[\s\S]*RIDER_ASSIGN_RADIUS_KM/);
  });
});
