import { runService } from "@qc/platform/service-main";
import { buildApp } from "./app";
import { loadGatewayConfig } from "./config";

runService({
  name: "gateway",
  loadConfig: loadGatewayConfig,
  host: (config) => config.GATEWAY_HOST,
  start: async (config, deps) => {
    const app = buildApp(config, deps);
    await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
    return { port: config.GATEWAY_PORT, stop: () => app.close() };
  },
});
