import { runService } from "@qc/platform/service-main";
import { buildApp } from "./app";
import { loadOrderConfig } from "./config";

runService({
  name: "order",
  loadConfig: loadOrderConfig,
  host: (config) => config.ORDER_HOST,
  start: (config, deps) => buildApp(config, deps),
});
