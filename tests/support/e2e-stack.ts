import { inventoryV1, paymentV1 } from "@qc/contracts";
import { FaultProxy, freePort, startStack, type Stack, type StackOptions } from "@qc/devstack";
import { createGrpcClient, plaintextTransport, type GrpcClient } from "@qc/platform/grpc";
import { ResilientTarget } from "@qc/platform/resilience";
import { createTestDatabase, deleteRedisKeys, type TestDatabase } from "@qc/platform/testing";
import { SignJWT } from "jose";

export const JWT_SECRET = "e2e-secret-0123456789abcdef-0123456789";

export type Role = "customer" | "rider" | "admin";

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface E2E {
  readonly stack: Stack;
  /** Fault proxies between the order service and its dependencies (when asked for). */
  readonly proxies: { readonly inventory: FaultProxy; readonly payment: FaultProxy } | null;
  readonly db: TestDatabase;
  /** Direct gRPC clients, for assertions on state the REST API does not show (wallet balances). */
  readonly inventory: GrpcClient<typeof inventoryV1.InventoryServiceService>;
  readonly payment: GrpcClient<typeof paymentV1.PaymentServiceService>;
  token(sub: string, role: Role): Promise<string>;
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

/** The whole platform as real processes on a fresh database, with helpers to drive its REST API. */
export async function startE2E(options: Partial<StackOptions> & { faultProxies?: boolean } = {}): Promise<E2E> {
  const { faultProxies, ...stackOptions } = options;
  const db = await createTestDatabase("qc_e2e");
  // The machine's real Redis, with keys of this stack's own so runs never see each other's riders.
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const keyPrefix = `${db.name}:`;
  stackOptions.env = { REDIS_KEY_PREFIX: keyPrefix, ...stackOptions.env };
  const logs: string[] = [];
  let proxies: E2E["proxies"] = null;
  if (faultProxies) {
    // A port freePort() picked is free again until the service binds it, so a proxy listening on port 0
    // may be handed it: the service would then fail to bind while its port seems to answer. Pick again.
    let ports: { inventory: number; payment: number };
    for (;;) {
      ports = { inventory: await freePort(), payment: await freePort() };
      proxies = { inventory: new FaultProxy(ports.inventory), payment: new FaultProxy(ports.payment) };
      await proxies.inventory.listen();
      await proxies.payment.listen();
      const taken = [ports.inventory, ports.payment, proxies.inventory.port, proxies.payment.port];
      if (new Set(taken).size === taken.length) break;
      await proxies.inventory.close();
      await proxies.payment.close();
    }
    stackOptions.ports = { ...stackOptions.ports, ...ports };
    stackOptions.serviceEnv = {
      ...stackOptions.serviceEnv,
      order: {
        ...stackOptions.serviceEnv?.order,
        INVENTORY_ADDR: proxies.inventory.address,
        PAYMENT_ADDR: proxies.payment.address,
      },
    };
  }
  const stack = await startStack({
    databaseUrl: db.url,
    redisUrl,
    jwtSecret: JWT_SECRET,
    env: { LOG_LEVEL: "warn" },
    log: (name, line) => {
      logs.push(`${name}| ${line}`);
      if (process.env.E2E_LOGS) console.log(`${name}| ${line}`);
    },
    ...stackOptions,
  }).catch(async (err: unknown) => {
    await db.drop();
    throw new Error(`stack failed to start: ${String(err)}\n${logs.slice(-30).join("\n")}`);
  });
  const direct = (target: string) =>
    new ResilientTarget("e2e", target, {
      timeoutMs: 5_000,
      breakerThreshold: 1_000,
      halfOpenAfterMs: 1_000,
      retryAttempts: 1,
      retryInitialDelayMs: 10,
    });
  const inventory = createGrpcClient(
    inventoryV1.InventoryServiceService,
    `127.0.0.1:${stack.services.inventory.port}`,
    { transport: plaintextTransport, resilience: direct("inventory"), retrySafe: [] },
  );
  const payment = createGrpcClient(paymentV1.PaymentServiceService, `127.0.0.1:${stack.services.payment.port}`, {
    transport: plaintextTransport,
    resilience: direct("payment"),
    retrySafe: [],
  });
  const key = new TextEncoder().encode(JWT_SECRET);

  return {
    stack,
    proxies,
    db,
    inventory,
    payment,
    token: (sub, role) =>
      new SignJWT({ role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setExpirationTime("1h").sign(key),
    api: async <T>(
      method: string,
      path: string,
      opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
    ) => {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
      const res = await fetch(`${stack.gatewayUrl}${path}`, { method, headers, body });
      const text = await res.text();
      // A 500 is a bug in the stack, not in the test: show what the services logged about it.
      if (res.status === 500)
        console.error(`${method} ${path} answered 500; the stack's last log lines:\n${logs.slice(-40).join("\n")}`);
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text so the assertion shows it
      }
      return { status: res.status, headers: res.headers, body: parsed as T };
    },
    stop: async () => {
      inventory.close();
      payment.close();
      await stack.stop();
      await proxies?.inventory.close();
      await proxies?.payment.close();
      await db.drop();
      await deleteRedisKeys(keyPrefix, redisUrl);
    },
  };
}

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
