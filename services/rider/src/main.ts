import { runService } from "@qc/platform/service-main";
import { buildApp } from "./app";
import { loadRiderConfig } from "./config";

runService({
  name: "rider",
  loadConfig: loadRiderConfig,
  host: (config) => config.RIDER_HOST,
  start: (config, deps) => buildApp(config, deps),
});
