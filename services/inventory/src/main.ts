import { runService } from "@qc/platform/service-main";
import { buildApp } from "./app";
import { loadInventoryConfig } from "./config";

runService({
  name: "inventory",
  loadConfig: loadInventoryConfig,
  host: (config) => config.INVENTORY_HOST,
  start: (config, deps) => buildApp(config, deps),
});
