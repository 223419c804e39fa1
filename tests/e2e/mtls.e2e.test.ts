/**
 * Internal calls over mutual TLS: the platform as real processes with GRPC_TLS_CA / GRPC_TLS_CERT /
 * GRPC_TLS_KEY set (a throw-away CA made by openssl). The gateway reaches every service and the
 * order service runs its saga against inventory and payment with their certificates, while a
 * caller without a certificate, with one from another CA, or without TLS at all is refused by
 * every gRPC server, its health service included.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { paymentV1 } from "@qc/contracts";
import { ServiceProcess, startStack, freePort, type Stack } from "@qc/devstack";
import { createTestDatabase, createTestPki, type TestDatabase, type TestPki } from "@qc/platform/testing";
import { Client, credentials, Metadata, status, type ChannelCredentials, type ServiceError } from "@grpc/grpc-js";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, JWT_SECRET } from "../support/e2e-stack";

const GRPC_SERVICES = ["order", "inventory", "payment", "rider"] as const;
const HEALTH_CHECK = "/grpc.health.v1.Health/Check";
const HEALTHCHECK_SCRIPT = fileURLToPath(new URL("../../deploy/healthcheck.mjs", import.meta.url));

/** `node deploy/healthcheck.mjs grpc 127.0.0.1:<port>` with `env` (the probe of a container): its exit code. */
const healthcheckScript = (port: number, env: Record<string, string>) =>
  new Promise<number>((resolve) => {
    execFile(
      process.execPath,
      [HEALTHCHECK_SCRIPT, "grpc", `127.0.0.1:${port}`],
      { env: { PATH: process.env.PATH, ...env } },
      (err) => resolve(err ? Number(err.code ?? 1) : 0),
    );
  });

let pki: TestPki;
let otherPki: TestPki;
let db: TestDatabase;
let stack: Stack;
const logs: string[] = [];

/** Status code of a unary call made with `creds` (0: it was answered): GetWallet, or the health Check of `port`. */
function callWith(creds: ChannelCredentials, port: number, method: "getWallet" | "health"): Promise<number> {
  const client = new Client(`127.0.0.1:${port}`, creds);
  const done = (resolve: (code: number) => void) => (err: ServiceError | null) => resolve(err ? err.code : status.OK);
  const options = { deadline: Date.now() + 3_000 };
  return new Promise<number>((resolve) => {
    if (method === "getWallet") {
      const m = paymentV1.PaymentServiceService.getWallet;
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        { customerId: "alice", currency: "" },
        new Metadata(),
        options,
        done(resolve),
      );
    } else {
      // HealthCheckRequest with an empty service name is the empty message.
      client.makeUnaryRequest(
        HEALTH_CHECK,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        new Metadata(),
        options,
        done(resolve),
      );
    }
  }).finally(() => client.close());
}

const getWallet = (creds: ChannelCredentials) => callWith(creds, stack.services.payment.port, "getWallet");
const healthCheck = (creds: ChannelCredentials, port: number) => callWith(creds, port, "health");

const mtls = (issued: { ca: Buffer; cert: Buffer; key: Buffer }) =>
  credentials.createSsl(issued.ca, issued.key, issued.cert);

const api = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${stack.gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const token = (sub: string, role: string) =>
  new SignJWT({ role })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(JWT_SECRET));

beforeAll(async () => {
  pki = createTestPki("platform");
  otherPki = createTestPki("other");
  db = await createTestDatabase("qc_mtls");
  // One certificate per service, as in a cluster; all from the same CA.
  const cert = Object.fromEntries(["gateway", ...GRPC_SERVICES].map((name) => [name, pki.issue(name).env]));
  stack = await startStack({
    databaseUrl: db.url,
    jwtSecret: JWT_SECRET,
    env: { LOG_LEVEL: "warn" },
    serviceEnv: cert,
    log: (name, line) => logs.push(`${name}| ${line}`),
  }).catch((err: unknown) => {
    throw new Error(`stack failed to start: ${String(err)}\n${logs.slice(-30).join("\n")}`);
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
  pki?.remove();
  otherPki?.remove();
});

describe("gRPC over mutual TLS (GRPC_TLS_*)", () => {
  it("serves callers that present a certificate of the CA: the gateway, the order saga, a direct client", async () => {
    // /readyz asks every upstream's health service over its channel.
    await eventually(async () => (await fetch(`${stack.gatewayUrl}/readyz`)).status === 200, "gateway ready over mTLS");
    const admin = await token("ops", "admin");
    const sku = `sku-mtls-${Date.now().toString(36)}`;
    const created = await api("POST", "/v1/admin/products", admin, {
      sku,
      name: "mTLS test",
      priceCents: 250,
      currency: "EUR",
      stock: 5,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // A customer without money: order → inventory (deduct) → payment (declined) → inventory (restock).
    const order = await api("POST", "/v1/orders", await token("mtls-bob", "customer"), {
      items: [{ sku, quantity: 1 }],
    });
    const id = String((order.body.order as { id?: string } | undefined)?.id ?? order.body.id);
    const final = await eventually(async () => {
      const o = await api("GET", `/v1/orders/${id}`, admin);
      return o.body.status === "PENDING" ? null : o.body;
    }, "order settled");
    expect(final.status).toBe("FAILED");
    expect(JSON.stringify(final.history)).toContain("PAYMENT_DECLINED");
    const tester = mtls(pki.issue("tester").read());
    // Answered by payment itself (this customer has no wallet), not refused on the way.
    expect(await getWallet(tester)).toBe(status.NOT_FOUND);
    for (const name of GRPC_SERVICES)
      expect(await healthCheck(tester, stack.services[name].port), name).toBe(status.OK);
    // The container probe, with the service's own certificate as a pod mounts it.
    expect(await healthcheckScript(stack.services.payment.port, pki.issue("probe").env)).toBe(0);
    expect(await healthcheckScript(stack.services.payment.port, {})).toBe(1);
  });

  it("refuses a caller without a client certificate", async () => {
    const ca = pki.issue("no-client-cert").read().ca;
    expect(await getWallet(credentials.createSsl(ca))).toBe(status.UNAVAILABLE);
    for (const name of GRPC_SERVICES)
      expect(await healthCheck(credentials.createSsl(ca), stack.services[name].port), name).toBe(status.UNAVAILABLE);
  });

  it("refuses a certificate from another CA", async () => {
    const stranger = otherPki.issue("stranger").read();
    // It trusts the platform's CA (so the server is fine by it) but presents a certificate the platform never issued.
    expect(await getWallet(credentials.createSsl(pki.issue("verifier").read().ca, stranger.key, stranger.cert))).toBe(
      status.UNAVAILABLE,
    );
  });

  it("refuses plaintext on every gRPC port, health included", async () => {
    expect(await getWallet(credentials.createInsecure())).toBe(status.UNAVAILABLE);
    for (const name of GRPC_SERVICES)
      expect(await healthCheck(credentials.createInsecure(), stack.services[name].port), name).toBe(status.UNAVAILABLE);
  });

  it("stops a service at start whose TLS settings are incomplete or unreadable", async () => {
    const issued = pki.issue("payment-misconfigured").env;
    for (const [env, variable] of [
      [{ GRPC_TLS_CA: issued.GRPC_TLS_CA }, "GRPC_TLS_CERT"],
      [{ ...issued, GRPC_TLS_KEY: `${pki.dir}/missing.key` }, "GRPC_TLS_KEY"],
    ] as const) {
      const lines: string[] = [];
      const payment = new ServiceProcess(
        "payment",
        await freePort(),
        { ...process.env, DATABASE_URL: db.url, METRICS_PORT: "-1", ...env },
        (_n, line) => lines.push(line),
      );
      try {
        await expect(payment.start(30_000)).rejects.toThrow(/exited with code 1/);
      } finally {
        await payment.kill();
      }
      expect(lines.join("\n")).toContain(variable);
    }
  });
});
