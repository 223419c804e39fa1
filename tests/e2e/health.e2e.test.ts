/**
 * Health as the deploy files see it: every gRPC service answers the standard grpc.health.v1 Check
 * (what Kubernetes' grpc probe and deploy/healthcheck.mjs call), SERVING only while what it needs
 * answers; the gateway's /readyz follows its upstreams' health. The order service reaches Postgres
 * through a TCP proxy, and the stack has a Redis of its own, so both can be taken away.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { FaultProxy, startStack, type ServiceName, type Stack } from "@qc/devstack";
import { plaintextTransport } from "@qc/platform/grpc";
import { createHealthClient, type HealthClient } from "@qc/platform/health";
import { createTestDatabase, type TestDatabase } from "@qc/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, JWT_SECRET } from "../support/e2e-stack";
import { PrivateRedis } from "../support/redis-server";

const HEALTHCHECK = fileURLToPath(new URL("../../deploy/healthcheck.mjs", import.meta.url));
const GRPC_SERVICES = {
  order: "qc.order.v1.OrderService",
  inventory: "qc.inventory.v1.InventoryService",
  payment: "qc.payment.v1.PaymentService",
  rider: "qc.rider.v1.RiderService",
} as const satisfies Partial<Record<ServiceName, string>>;
type GrpcService = keyof typeof GRPC_SERVICES;

/** `node deploy/healthcheck.mjs grpc 127.0.0.1:<port> [service]`: its exit code. */
const healthcheck = (port: number, service = "") =>
  new Promise<number>((resolve) => {
    execFile(process.execPath, [HEALTHCHECK, "grpc", `127.0.0.1:${port}`, service], (err) =>
      resolve(err ? Number(err.code ?? 1) : 0),
    );
  });

let db: TestDatabase;
let pgProxy: FaultProxy;
let redis: PrivateRedis;
let stack: Stack;
const clients = new Map<GrpcService, HealthClient>();

const health = (name: GrpcService, service = "") => clients.get(name)!.check(service, 1_000);
const readyz = async () => {
  const res = await fetch(`${stack.gatewayUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as { unavailable?: string[]; detail?: string } };
};

beforeAll(async () => {
  db = await createTestDatabase("qc_health");
  pgProxy = new FaultProxy(5432, "raw");
  await pgProxy.listen();
  const viaProxy = new URL(db.url);
  viaProxy.port = String(pgProxy.port);
  redis = await PrivateRedis.start();
  const logs: string[] = [];
  stack = await startStack({
    databaseUrl: db.url,
    redisUrl: redis.url,
    jwtSecret: JWT_SECRET,
    env: { LOG_LEVEL: "warn" },
    serviceEnv: { order: { DATABASE_URL: viaProxy.toString() } },
    log: (name, line) => logs.push(`${name}| ${line}`),
  }).catch((err: unknown) => {
    throw new Error(`stack failed to start: ${String(err)}\n${logs.slice(-30).join("\n")}`);
  });
  for (const name of Object.keys(GRPC_SERVICES) as GrpcService[])
    clients.set(name, createHealthClient(`127.0.0.1:${stack.services[name].port}`, plaintextTransport));
}, 90_000);

afterAll(async () => {
  for (const c of clients.values()) c.close();
  await stack?.stop();
  await pgProxy?.close();
  await redis?.stop();
  await db?.drop();
});

describe("grpc.health.v1 and /readyz", () => {
  it("reports every service SERVING, overall and by its full name, and the gateway ready", async () => {
    for (const [name, full] of Object.entries(GRPC_SERVICES) as [GrpcService, string][]) {
      expect(await health(name), name).toBe("SERVING");
      expect(await health(name, full), full).toBe("SERVING");
      expect(await health(name, "qc.nothing.v1.Nothing"), name).toBe("SERVICE_UNKNOWN");
    }
    expect(await healthcheck(stack.services.order.port)).toBe(0);
    expect(await healthcheck(stack.services.inventory.port, GRPC_SERVICES.inventory)).toBe(0);
    expect((await readyz()).status).toBe(200);
  });

  it("turns the order service NOT_SERVING while its database is unreachable, and the gateway not ready, then back", async () => {
    pgProxy.set({ kind: "refuse" }, { cut: true });
    await eventually(async () => (await health("order")) === "NOT_SERVING", "order NOT_SERVING", 10_000);
    expect(await health("order", GRPC_SERVICES.order)).toBe("NOT_SERVING");
    expect(await health("payment")).toBe("SERVING");
    expect(await healthcheck(stack.services.order.port)).toBe(1);
    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    // (Other upstreams are healthy; on a starved machine one may miss the 500 ms deadline, so only these are asserted.)
    expect(notReady.body.unavailable).toContain("order");
    expect(notReady.body.detail).toContain("order (NOT_SERVING)");

    pgProxy.set({ kind: "pass" });
    await eventually(async () => (await health("order")) === "SERVING", "order SERVING again", 10_000);
    await eventually(async () => (await readyz()).status === 200, "gateway ready again", 10_000);
  });

  it("turns the rider service NOT_SERVING without its Redis; the inventory (Redis is only its cache) stays SERVING", async () => {
    await redis.stop();
    await eventually(async () => (await health("rider")) === "NOT_SERVING", "rider NOT_SERVING", 10_000);
    expect(await health("inventory")).toBe("SERVING");
    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    expect(notReady.body.unavailable).toContain("rider");
    expect(notReady.body.detail).toContain("rider (NOT_SERVING)");

    await redis.resume();
    await eventually(async () => (await health("rider")) === "SERVING", "rider SERVING again", 15_000);
    await eventually(async () => (await readyz()).status === 200, "gateway ready again", 10_000);
  });

  it("answers NOT_SERVING from the moment a service begins to shut down", async () => {
    const stopping = stack.services.payment.stop();
    // The first answer after SIGTERM that is not SERVING is NOT_SERVING (or no answer once it is gone).
    const seen = await eventually(async () => {
      const s = await health("payment");
      return s === "SERVING" ? null : s;
    }, "payment leaving SERVING");
    expect(["NOT_SERVING", "UNREACHABLE"]).toContain(seen);
    expect(await stopping).toBe(0);
    await eventually(
      async () => (await readyz()).body.unavailable?.includes("payment") ?? false,
      "gateway not ready without payment",
    );
  });
});
