import { ConfigError, loadConfig } from "@qc/platform/config";
import { describe, expect, it } from "vitest";
import { inventoryConfigSchema } from "./config";

describe("inventory config", () => {
  it("caches the catalog in process by default, for 30 s", () => {
    const config = loadConfig(inventoryConfigSchema, {});
    expect(config.REDIS_URL).toBeUndefined();
    expect(config).toMatchObject({
      REDIS_KEY_PREFIX: "qc:",
      REDIS_TIMEOUT_MS: 250,
      CATALOG_CACHE_TTL_MS: 30_000,
      CATALOG_CACHE_MAX_ENTRIES: 10_000,
    });
  });

  it("treats an empty REDIS_URL as unset", () => {
    expect(loadConfig(inventoryConfigSchema, { REDIS_URL: "" }).REDIS_URL).toBeUndefined();
  });

  it("fails fast naming each bad variable", () => {
    const load = () =>
      loadConfig(inventoryConfigSchema, {
        REDIS_URL: "127.0.0.1:6379",
        CATALOG_CACHE_TTL_MS: "0",
        REDIS_KEY_PREFIX: "a b",
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/REDIS_URL[\s\S]*REDIS_KEY_PREFIX[\s\S]*CATALOG_CACHE_TTL_MS/);
  });
});
