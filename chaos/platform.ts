import { createWriteStream, type WriteStream } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FaultProxy, freePort, PrivateRedis, startStack, type ServiceProcess, type Stack } from "@qc/devstack";
import { createTestDatabase, embeddedTemplate, type TestDatabase } from "@qc/platform/testing";

export type Mode = "postgres" | "embedded";

/** The platform of one chaos run, as processes the runner supervises, with a fault proxy on every link. */
export interface ChaosPlatform {
  readonly mode: Mode;
  readonly gatewayUrl: string;
  /** Every service process by label: gateway, order-1, order-2 (or order), inventory, payment, rider. */
  readonly processes: ReadonlyMap<string, ServiceProcess>;
  /** The fault proxy of each link, by `caller→callee`. */
  readonly proxies: ReadonlyMap<string, FaultProxy>;
  readonly redis: PrivateRedis | null;
  readonly database: TestDatabase | null;
  /** DATA_DIR of the embedded databases (embedded mode). */
  readonly dataDir: string | null;
  /** What this mode cannot do or test, said in the output and the JSON. */
  readonly designLimits: string[];
  /** Graceful stop of every service (callers first); each one's exit code. */
  stopServices(): Promise<Record<string, number | null>>;
  /** Stops anything still running and removes the run's database, Redis and data folder (unless kept). */
  dispose(keep: boolean): Promise<void>;
}

export interface PlatformOptions {
  readonly mode: Mode;
  readonly jwtSecret: string;
  /** Every service's output goes here, one line each, prefixed with the time and the process. */
  readonly logFile: string;
  /** SAGA_LEASE_MS of the order service. */
  readonly leaseMs: number;
  /** LOG_LEVEL of every service. */
  readonly logLevel: string;
}

const CALLEES = ["inventory", "payment", "rider"] as const;
export const CATALOG_CACHE_TTL_MS = 5_000;

/**
 * Starts the platform: a fresh Postgres database and a private Redis (append-only, as deployed) with
 * two order replicas, or (embedded) a fresh DATA_DIR, no Redis and one order replica. Every call
 * between two services goes through a FaultProxy of its own: gateway → each order replica, inventory
 * and rider; each order replica → inventory, payment and rider. (gateway → payment carries only the
 * seeding credits, made before any fault, and is not proxied.)
 */
export async function startPlatform(options: PlatformOptions): Promise<ChaosPlatform> {
  const { mode } = options;
  const log: WriteStream = createWriteStream(options.logFile, { flags: "w" });
  const designLimits: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let database: TestDatabase | null = null;
  let redis: PrivateRedis | null = null;
  let dataDir: string | null = null;
  const replicas = mode === "postgres" ? 2 : 1;
  if (mode === "postgres") {
    database = await createTestDatabase("qc_chaos");
    const aof = await mkdtemp(join(tmpdir(), "qc-chaos-redis-"));
    redis = await PrivateRedis.start({ appendOnlyDir: aof });
    cleanups.push(() => rm(aof, { recursive: true, force: true }));
  } else {
    dataDir = await mkdtemp(join(tmpdir(), "qc-chaos-embedded-"));
    // Each database starts from an initialised copy (PGlite's initdb is seconds of CPU).
    for (const service of ["order", "inventory", "payment"])
      await cp(await embeddedTemplate(), join(dataDir, service), { recursive: true });
    designLimits.push(
      "one order replica: an embedded database (PGlite) is one process per data folder, so a second order replica cannot share the order database",
      "pg-terminate: not applicable in embedded mode (no Postgres server; each database lives inside its service's process)",
      "redis-restart: not applicable in embedded mode (no Redis; rider locations and assignments live in the rider process's memory, so a kill of the rider service forgets them)",
    );
  }
  designLimits.push("gateway→payment is not proxied: it carries only the seeding credits, made before any fault");

  // Service ports first; then the proxies, which must not sit on a port picked for a service.
  const orderLabels = replicas === 1 ? ["order"] : Array.from({ length: replicas }, (_, i) => `order-${i + 1}`);
  const servicePorts = new Map<string, number>();
  for (const label of ["gateway", ...orderLabels, ...CALLEES]) servicePorts.set(label, await freePort());
  const links: [string, string][] = [
    ...orderLabels.map((o): [string, string] => ["gateway", o]),
    ["gateway", "inventory"],
    ["gateway", "rider"],
    ...orderLabels.flatMap((o) => CALLEES.map((c): [string, string] => [o, c])),
  ];
  const proxies = new Map<string, FaultProxy>();
  const taken = new Set(servicePorts.values());
  for (const [caller, callee] of links) {
    for (;;) {
      const proxy = new FaultProxy(servicePorts.get(callee)!);
      await proxy.listen();
      if (!taken.has(proxy.port)) {
        taken.add(proxy.port);
        proxies.set(`${caller}→${callee}`, proxy);
        break;
      }
      await proxy.close();
    }
  }
  const via = (caller: string, callee: string) => proxies.get(`${caller}→${callee}`)!.address;

  let stack: Stack;
  try {
    stack = await startStack({
      ...(database ? { databaseUrl: database.url } : {}),
      ...(dataDir ? { dataDir } : {}),
      ...(redis ? { redisUrl: redis.url } : {}),
      jwtSecret: options.jwtSecret,
      ports: {
        gateway: servicePorts.get("gateway")!,
        order: servicePorts.get(orderLabels[0]!)!,
        inventory: servicePorts.get("inventory")!,
        payment: servicePorts.get("payment")!,
        rider: servicePorts.get("rider")!,
      },
      orderReplicas: replicas,
      orderReplicaPorts: orderLabels.slice(1).map((l) => servicePorts.get(l)!),
      // A catalog cache entry outlives a lost invalidation (Redis down) by its TTL at most: 5 s, so the
      // REST cross-check after settling can wait it out.
      env: { LOG_LEVEL: options.logLevel, DB_POOL_SIZE: "6", CATALOG_CACHE_TTL_MS: String(CATALOG_CACHE_TTL_MS) },
      serviceEnv: {
        gateway: {
          ORDER_ADDR: orderLabels.map((o) => via("gateway", o)).join(","),
          INVENTORY_ADDR: via("gateway", "inventory"),
          RIDER_ADDR: via("gateway", "rider"),
        },
        // Short enough that a hang (up to 8 s) outlives it: the other replica then takes the saga over.
        order: { SAGA_LEASE_MS: String(options.leaseMs) },
      },
      orderReplicaEnv: (i) => ({
        INVENTORY_ADDR: via(orderLabels[i]!, "inventory"),
        PAYMENT_ADDR: via(orderLabels[i]!, "payment"),
        RIDER_ADDR: via(orderLabels[i]!, "rider"),
      }),
      log: (_service, line, label) => log.write(`${new Date().toISOString()} ${label}| ${line}\n`),
    });
  } catch (err) {
    await Promise.all([...proxies.values()].map((p) => p.close()));
    await redis?.stop();
    await database?.drop();
    for (const c of cleanups) await c();
    throw err;
  }
  const processes = new Map<string, ServiceProcess>([
    ["gateway", stack.services.gateway],
    ...stack.orderReplicas.map((p): [string, ServiceProcess] => [p.label, p]),
    ...CALLEES.map((c): [string, ServiceProcess] => [c, stack.services[c]]),
  ]);
  return {
    mode,
    gatewayUrl: stack.gatewayUrl,
    processes,
    proxies,
    redis,
    database,
    dataDir,
    designLimits,
    stopServices: async () => {
      await stack.stop();
      const codes: Record<string, number | null> = {};
      for (const [label, p] of processes) codes[label] = await p.waitForExit();
      return codes;
    },
    dispose: async (keep) => {
      for (const p of processes.values()) {
        p.signal("SIGCONT");
        await p.kill();
      }
      await Promise.all([...proxies.values()].map((p) => p.close()));
      await redis?.stop();
      if (!keep) {
        await database?.drop();
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
      }
      for (const c of cleanups) await c();
      await new Promise<void>((resolve) => log.end(() => resolve()));
    },
  };
}
