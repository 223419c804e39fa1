import { ConfigError, loadConfig } from "@qc/platform/config";
import { describe, expect, it } from "vitest";
import { paymentConfigSchema } from "./config";

describe("payment config", () => {
  it("has defaults for a local run", () => {
    expect(loadConfig(paymentConfigSchema, {})).toEqual({
      SHUTDOWN_TIMEOUT_MS: 10_000,
      PAYMENT_HOST: "127.0.0.1",
      PAYMENT_PORT: 50053,
      METRICS_PORT: 9463,
      DB_POOL_SIZE: 10,
      DB_POOL_MAX_WAITING: 1_000,
      DB_ACQUIRE_TIMEOUT_MS: 5_000,
      LOG_LEVEL: "info",
      LOG_PRETTY: false,
    });
  });

  it("serves metrics on a port of its own: 0 picks a free one, -1 none", () => {
    expect(loadConfig(paymentConfigSchema, { METRICS_PORT: "0" }).METRICS_PORT).toBe(0);
    expect(loadConfig(paymentConfigSchema, { METRICS_PORT: "-1" }).METRICS_PORT).toBe(-1);
    expect(() => loadConfig(paymentConfigSchema, { METRICS_PORT: "-2" })).toThrow(/METRICS_PORT/);
  });

  it("runs on the embedded database without DATABASE_URL (unset or empty)", () => {
    expect(loadConfig(paymentConfigSchema, {}).DATABASE_URL).toBeUndefined();
    expect(loadConfig(paymentConfigSchema, { DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
    expect(loadConfig(paymentConfigSchema, { DATA_DIR: "/tmp/qc" }).DATA_DIR).toBe("/tmp/qc");
  });

  it("fails fast naming each bad variable", () => {
    const load = () =>
      loadConfig(paymentConfigSchema, { DATABASE_URL: "mysql://x", PAYMENT_PORT: "70000", DB_POOL_SIZE: "0" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/DATABASE_URL[\s\S]*PAYMENT_PORT[\s\S]*DB_POOL_SIZE/);
  });

  it("reads LOG_PRETTY as a boolean", () => {
    expect(loadConfig(paymentConfigSchema, { LOG_PRETTY: "1" }).LOG_PRETTY).toBe(true);
  });
});
