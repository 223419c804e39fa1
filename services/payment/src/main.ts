import { runService } from "@qc/platform/service-main";
import { buildApp } from "./app";
import { loadPaymentConfig } from "./config";

runService({
  name: "payment",
  loadConfig: loadPaymentConfig,
  host: (config) => config.PAYMENT_HOST,
  start: (config, deps) => buildApp(config, deps),
});
