/**
 * The platform as production runs it: every service from its compiled `dist/main.js` (`npm run
 * build`; node alone, no tsx), here on embedded databases: migrations found from the
 * compiled file, an order served end to end, every service stopping cleanly.
 */
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStack, type Stack } from "@qc/devstack";
import { embeddedTemplate } from "@qc/platform/testing";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JWT_SECRET } from "../support/e2e-stack";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const key = new TextEncoder().encode(JWT_SECRET);
const token = (sub: string, role: string) =>
  new SignJWT({ role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setExpirationTime("1h").sign(key);

let dataDir: string;
let stack: Stack | null = null;
const logs: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], { cwd: ROOT, stdio: "pipe" });
  dataDir = await mkdtemp(join(tmpdir(), "qc-compiled-e2e-"));
  for (const service of ["order", "inventory", "payment"])
    await cp(await embeddedTemplate(), join(dataDir, service), { recursive: true });
}, 120_000);

afterAll(async () => {
  if (stack) await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("the compiled platform (QC_RUN=dist)", () => {
  it("runs every service from dist/, serves an order and stops cleanly", async () => {
    stack = await startStack({
      jwtSecret: JWT_SECRET,
      dataDir,
      run: "dist",
      env: { LOG_LEVEL: "info" },
      log: (name, line) => logs.push(`${name}| ${line}`),
    });
    for (const service of Object.values(stack.services)) {
      const cmdline = (await readFile(`/proc/${service.pid}/cmdline`, "utf8")).split("\0");
      expect(cmdline, service.name).toContain(`services/${service.name}/dist/main.js`);
    }
    // Each database service applied its migrations, found beside the compiled file.
    for (const service of ["order", "inventory", "payment"]) {
      expect(
        logs.some((l) => l.startsWith(`${service}|`) && /migration\(s\) applied|is up to date/.test(l)),
        service,
      ).toBe(true);
    }
    const admin = await token("ops", "admin");
    const post = (path: string, auth: string, body: unknown) =>
      fetch(`${stack!.gatewayUrl}${path}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${auth}`,
          "content-type": "application/json",
          "idempotency-key": crypto.randomUUID(),
        },
        body: JSON.stringify(body),
      });
    expect(
      (
        await post("/v1/admin/products", admin, {
          sku: "tea",
          name: "Tea",
          priceCents: 250,
          currency: "EUR",
          stock: 10,
        })
      ).status,
    ).toBe(201);
    expect((await post("/v1/admin/wallets/ann/credit", admin, { amountCents: 1_000, currency: "EUR" })).status).toBe(
      200,
    );
    const placed = await post("/v1/orders", await token("ann", "customer"), { items: [{ sku: "tea", quantity: 2 }] });
    expect(placed.status).toBe(201);
    expect(await placed.json()).toMatchObject({ status: "CONFIRMED", totalCents: 500 });
    expect((await fetch(`${stack.gatewayUrl}/readyz`)).status).toBe(200);

    await stack.stop();
    const codes = Object.fromEntries(
      await Promise.all(Object.values(stack.services).map(async (s) => [s.name, await s.waitForExit()] as const)),
    );
    stack = null;
    expect(codes).toEqual({ inventory: 0, payment: 0, rider: 0, order: 0, gateway: 0 });
  }, 120_000);
});
