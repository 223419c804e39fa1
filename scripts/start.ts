/**
 * `npm start`: every service as its own process on its default port, logs prefixed, demo data
 * seeded on first run, all stopped together on Ctrl-C.
 */
import { startStack, type ServiceName } from "@qc/devstack";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { DEV_JWT_SECRET } from "./dev-defaults";
import { seedDemoData } from "./seed";
import { ensureWebAppBuilt } from "./web-app-build";

const colors: Record<ServiceName, string> = { inventory: "36", payment: "35", rider: "34", order: "33", gateway: "32" };
const tty = process.stdout.isTTY === true;
const prefix = (name: ServiceName) => (tty ? `\x1b[${colors[name]}m${name.padEnd(9)}\x1b[0m|` : `${name.padEnd(9)}|`);

// Without DATABASE_URL every service keeps its data in an embedded Postgres (PGlite) of its own,
// under DATA_DIR (`.data/` here by default), kept across restarts: a fresh machine needs only Node.js.
const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = process.env.DATA_DIR || undefined;
const shownDataDir = dataDir ?? join(fileURLToPath(new URL("..", import.meta.url)), ".data");
const redact = (url: string) => url.replace(/\/\/[^@]*@/, "//***@");
const databaseMode = databaseUrl
  ? `Postgres server ${redact(databaseUrl)}`
  : `embedded Postgres (PGlite) per service in ${shownDataDir}/ (kept across restarts; delete it to start afresh)`;
const redisUrl = process.env.REDIS_URL;
const jwtSecret = process.env.JWT_SECRET ?? DEV_JWT_SECRET;
const envPort = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const webApp = ensureWebAppBuilt();
console.log(`starting the platform; database: ${databaseMode}`);
const stack = await startStack({
  databaseUrl,
  dataDir,
  redisUrl,
  jwtSecret,
  ports: {
    gateway: envPort("GATEWAY_PORT", 8080),
    order: envPort("ORDER_PORT", 50051),
    inventory: envPort("INVENTORY_PORT", 50052),
    payment: envPort("PAYMENT_PORT", 50053),
    rider: envPort("RIDER_PORT", 50054),
  },
  // Prometheus /metrics of each service, as in deploy/ (docker compose, Kubernetes).
  metricsPorts: { gateway: 9460, order: 9461, inventory: 9462, payment: 9463, rider: 9464 },
  env: { LOG_PRETTY: String(tty), LOG_LEVEL: process.env.LOG_LEVEL ?? "info" },
  serviceEnv: { gateway: { DEV_LOGIN: "true" } }, // POST /v1/dev/token for the web app's "sign in as"
  log: (name, line) => console.log(`${prefix(name)} ${line}`),
}).catch((err: unknown) => {
  console.error(`could not start the platform: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

let stopping = false;
const stopAll = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping all services…");
  await stack.stop();
  const codes = await Promise.all(Object.values(stack.services).map(async (s) => `${s.name} ${await s.waitForExit()}`));
  console.log(`stopped (exit codes: ${codes.join(", ")})`);
  process.exit(code);
};
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
for (const service of Object.values(stack.services)) {
  void service.waitForExit().then((code) => {
    if (!stopping) {
      console.error(`${service.name} exited unexpectedly (code ${code}); stopping the rest`);
      void stopAll(1);
    }
  });
}

const token = (sub: string, role: string) =>
  new SignJWT({ role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt().setExpirationTime("12h").sign(new TextEncoder().encode(jwtSecret));
const adminToken = await token("admin", "admin");
const seeded = await seedDemoData(stack.gatewayUrl, adminToken);
const aliceToken = await token("alice", "customer");

console.log(`
Quick-commerce platform is up${seeded ? " (demo data seeded)" : ""}.
  web app    ${webApp ? `${stack.gatewayUrl}/   (sign in as alice, bob, rider-1 or admin)` : "not built (npm run build -w @qc/web)"}
  REST API   ${stack.gatewayUrl}/v1     OpenAPI: ${stack.gatewayUrl}/docs
  database   ${databaseMode}
  redis      ${redisUrl ? redact(redisUrl) : "none: rider geo and the catalog cache run in-process"}

  alice (customer with money):  ${aliceToken}
  admin:                        ${adminToken}
  more tokens: npm run token -- --sub bob --role customer

  curl -s -X POST ${stack.gatewayUrl}/v1/orders \\
    -H "Authorization: Bearer ${aliceToken}" -H "Content-Type: application/json" \\
    -H "Idempotency-Key: $(date +%s)" -d '{"items":[{"sku":"banana","quantity":2}]}'

Ctrl-C stops everything.
`);
