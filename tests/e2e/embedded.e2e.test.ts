/**
 * What `npm start` does on a machine with neither Postgres nor Redis: the stack without DATABASE_URL
 * or REDIS_URL runs every database embedded (PGlite, a folder per service under DATA_DIR) and the
 * rider index and catalog cache in process. It serves orders, says which mode it is in, stops
 * cleanly, and finds its data again after a restart.
 */
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack, type Stack } from "@qc/devstack";
import { embeddedTemplate } from "@qc/platform/testing";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JWT_SECRET } from "../support/e2e-stack";

const key = new TextEncoder().encode(JWT_SECRET);
const token = (sub: string, role: string) =>
  new SignJWT({ role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setExpirationTime("1h").sign(key);

let dataDir: string;
let stack: Stack | null = null;
const logs: string[] = [];

async function start(): Promise<Stack> {
  logs.length = 0;
  return startStack({
    jwtSecret: JWT_SECRET,
    dataDir,
    env: { LOG_LEVEL: "info" },
    log: (name, line) => logs.push(`${name}| ${line}`),
  }).catch((err: unknown) => {
    throw new Error(`stack failed to start: ${String(err)}\n${logs.slice(-30).join("\n")}`);
  });
}

/** Stops every service and returns their exit codes. */
async function stop(s: Stack): Promise<Record<string, number | null>> {
  await s.stop();
  const codes = await Promise.all(Object.values(s.services).map(async (p) => [p.name, await p.waitForExit()] as const));
  return Object.fromEntries(codes);
}

async function api<T>(
  method: string,
  path: string,
  auth: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack!.gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${auth}`,
      ...(body === undefined ? {} : { "content-type": "application/json", "idempotency-key": crypto.randomUUID() }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "qc-embedded-e2e-"));
  // Two databases start from an initialised copy to save time; payment's runs initdb as a first `npm start` does.
  for (const service of ["order", "inventory"])
    await cp(await embeddedTemplate(), join(dataDir, service), { recursive: true });
}, 90_000);

afterAll(async () => {
  if (stack) await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("the platform with no Postgres and no Redis", () => {
  let orderId = "";

  it("runs every database embedded, says so, and serves orders", async () => {
    stack = await start();
    for (const service of ["order", "inventory", "payment"]) {
      expect(
        logs.some(
          (l) => l.startsWith(`${service}|`) && l.includes(`embedded Postgres (PGlite) in ${join(dataDir, service)}`),
        ),
        service,
      ).toBe(true);
    }
    const admin = await token("ops", "admin");
    expect(
      (
        await api("POST", "/v1/admin/products", admin, {
          sku: "tea",
          name: "Tea",
          priceCents: 250,
          currency: "EUR",
          stock: 10,
        })
      ).status,
    ).toBe(201);
    expect(
      (await api("POST", "/v1/admin/wallets/ann/credit", admin, { amountCents: 1_000, currency: "EUR" })).status,
    ).toBe(200);

    const ann = await token("ann", "customer");
    const placed = await api<{ id: string; status: string; totalCents: number }>("POST", "/v1/orders", ann, {
      items: [{ sku: "tea", quantity: 2 }],
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: "CONFIRMED", totalCents: 500 });
    orderId = placed.body.id;
    const declined = await api<{ code: string }>("POST", "/v1/orders", await token("ben", "customer"), {
      items: [{ sku: "tea", quantity: 1 }],
    });
    expect({ status: declined.status, code: declined.body.code }).toEqual({ status: 402, code: "PAYMENT_DECLINED" });
    expect((await fetch(`${stack.gatewayUrl}/readyz`)).status).toBe(200);

    const codes = await stop(stack);
    stack = null;
    expect(codes).toEqual({ inventory: 0, payment: 0, rider: 0, order: 0, gateway: 0 });
    // Closed cleanly: the data stays, the locks are gone.
    expect((await readdir(dataDir)).sort()).toEqual(["inventory", "order", "payment"]);
    for (const service of ["order", "inventory", "payment"])
      expect(existsSync(join(dataDir, `${service}.lock`))).toBe(false);
  }, 120_000);

  it("finds its orders, stock and money again after a restart", async () => {
    stack = await start();
    const admin = await token("ops", "admin");
    const order = await api<{ status: string; totalCents: number }>("GET", `/v1/orders/${orderId}`, admin);
    expect(order).toMatchObject({ status: 200, body: { status: "CONFIRMED", totalCents: 500 } });
    expect((await api<{ stock: number }>("GET", "/v1/products/tea", admin)).body.stock).toBe(8);
    const again = await api<{ status: string }>("POST", "/v1/orders", await token("ann", "customer"), {
      items: [{ sku: "tea", quantity: 2 }],
    });
    expect(again.body.status).toBe("CONFIRMED");
    // 1000 credited, 500 + 500 spent: the next one is declined.
    const broke = await api<{ code: string }>("POST", "/v1/orders", await token("ann", "customer"), {
      items: [{ sku: "tea", quantity: 1 }],
    });
    expect(broke.body.code).toBe("PAYMENT_DECLINED");
  }, 120_000);
});
