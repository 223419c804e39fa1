/**
 * `npm start`: every service as its own process on its default port (every port, metrics too, from
 * the environment: `startPortsFromEnv`), logs prefixed, demo data seeded on first run, all stopped
 * together on Ctrl-C, SIGTERM, SIGHUP, or when the npm process that started this one goes away.
 *
 * package.json runs it as `exec node --import tsx scripts/start.ts`: `exec` makes this process npm's
 * own child (not a shell's), so the SIGINT and SIGTERM npm forwards reach it, and its parent pid
 * changes the moment npm is gone (a SIGHUP or SIGKILL npm does not forward).
 */
import { startPortsFromEnv, startStack, type RunMode, type ServiceName } from "@qc/devstack";
import { initialiseEmbeddedDataDirs } from "@qc/platform/embedded-template";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { buildAll } from "./build";
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

let ports: ReturnType<typeof startPortsFromEnv>;
try {
  ports = startPortsFromEnv(process.env);
} catch (err) {
  console.error(`could not start the platform: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
const started = performance.now();
// A closed terminal or pipe must not crash this process before it has stopped the services.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
const firstRun = !databaseUrl && !existsSync(join(shownDataDir, "order"));
// Beside the initdb below (both mostly one core each), awaited before the services start.
const webAppBuild = ensureWebAppBuilt((line) => console.log(`  ${line}`));
console.log(`starting the platform; database: ${databaseMode}`);
console.log(
  `  inventory, payment, rider and order first (${Object.entries(ports.ports)
    .map(([name, port]) => `${name} :${port}`)
    .join(", ")}; metrics ${Object.entries(ports.metricsPorts)
    .map(([name, port]) => `${name} :${port}`)
    .join(", ")}), then the gateway` +
    (firstRun
      ? "\n  first run: one embedded database is initialised (initdb) and copied for order, inventory and payment, which then migrate it"
      : ""),
);
// One initdb for every service that has no embedded database yet, instead of one each at once.
if (!databaseUrl) {
  await initialiseEmbeddedDataDirs(["order", "inventory", "payment"], dataDir, (line) =>
    console.log(`  ${line}`),
  ).catch((err: unknown) => {
    console.error(`could not initialise the embedded databases: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
// The services run compiled (esbuild: well under a second for all five), as in production: a
// process starts in a fraction of the time tsx takes to compile its TypeScript on every start.
// QC_RUN=source runs the TypeScript under tsx instead.
const run: RunMode = process.env.QC_RUN === "source" ? "source" : "dist";
if (run === "dist") {
  const built = await buildAll().catch((err: unknown) => {
    console.error(`could not compile the services: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
  console.log(`  compiled the services in ${built.ms} ms (node dist/main.js; QC_RUN=source runs them under tsx)`);
}
const webApp = await webAppBuild;
const stack = await startStack({
  run,
  databaseUrl,
  dataDir,
  redisUrl,
  jwtSecret,
  // Every port from the environment; metrics by default as in deploy/ (docker compose, Kubernetes).
  ports: ports.ports,
  metricsPorts: ports.metricsPorts,
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
// Ctrl-C (SIGINT), `kill` (SIGTERM), a closed terminal (SIGHUP): every service drains and stops.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stopAll(0));
// npm forwards SIGINT and SIGTERM only: when it dies of another signal this process is orphaned
// (its parent pid changes), and stops everything rather than leave the services running.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    console.error(`the process that started the platform (pid ${parent}) is gone; stopping`);
    void stopAll(0);
  }
}, 250).unref();
for (const service of Object.values(stack.services)) {
  void service.waitForExit().then((code) => {
    if (!stopping) {
      console.error(`${service.name} exited unexpectedly (code ${code}); stopping the rest`);
      void stopAll(1);
    }
  });
}

/** Seeds the demo data and prints how to use the platform; runs once every service answers. */
async function announceUp(): Promise<void> {
  const token = (sub: string, role: string) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime("12h")
      .sign(new TextEncoder().encode(jwtSecret));
  const adminToken = await token("admin", "admin");
  const seeded = await seedDemoData(stack.gatewayUrl, adminToken);
  const aliceToken = await token("alice", "customer");
  const bobToken = await token("bob", "customer");
  const riderToken = await token("rider-1", "rider");
  console.log(`
Quick-commerce platform is up${seeded ? " (demo data seeded)" : ""} in ${((performance.now() - started) / 1000).toFixed(1)} s.
  web app    ${webApp ? `${stack.gatewayUrl}/   (sign in as alice, bob, rider-1 or admin)` : "not built (npm run build -w @qc/web)"}
  REST API   ${stack.gatewayUrl}/v1     OpenAPI: ${stack.gatewayUrl}/docs
  metrics    ${Object.entries(stack.services)
    .map(([name, s]) => `${name} :${s.metricsPort ?? (s.env.METRICS_PORT === "0" ? "any free port" : "none")}`)
    .join(", ")}
  database   ${databaseMode}
  redis      ${redisUrl ? redact(redisUrl) : "none: rider geo and the catalog cache run in-process"}

  demo tokens (12 h):
  alice (customer, 100 EUR):    ${aliceToken}
  bob (customer, no money):     ${bobToken}
  rider-1 (rider):              ${riderToken}
  admin:                        ${adminToken}
  more: npm run -s token -- --sub <id> --role customer|rider|admin   (-s: npm prints no banner, only the token is printed)

  curl -s -X POST ${stack.gatewayUrl}/v1/orders \\
    -H "Authorization: Bearer ${aliceToken}" -H "Content-Type: application/json" \\
    -H "Idempotency-Key: $(date +%s)" -d '{"items":[{"sku":"banana","quantity":2}]}'

Ctrl-C (or SIGTERM/SIGHUP to this process or to npm) stops everything.
`);
}
// A stop asked for while seeding (a signal, npm gone) cuts the seed's requests off: that is no failure,
// and stopAll finishes and exits. Any other failure stops every service rather than leave them orphaned.
await announceUp().catch(async (err: unknown) => {
  if (stopping) return;
  console.error(`could not finish starting: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll(1);
});
