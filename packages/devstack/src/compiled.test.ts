import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { plaintextTransport } from "@qc/platform/grpc";
import { createHealthClient, LIVENESS_SERVICE } from "@qc/platform/health";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "./ports";
import { assertBuilt, defaultRunMode, SERVICE_PROCESS_ENV, SERVICE_V8_FLAGS, ServiceProcess } from "./service-process";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The rider service keeps riders in memory without REDIS_URL: a real service that needs nothing else. */
const compiledRider = async (env: Record<string, string> = {}) => {
  const [port, metricsPort] = await freePorts(2);
  const lines: string[] = [];
  const service = new ServiceProcess(
    "rider",
    port!,
    { PATH: process.env.PATH, RIDER_PORT: String(port), METRICS_PORT: String(metricsPort), LOG_LEVEL: "info", ...env },
    (_name, line) => lines.push(line),
    [],
    "rider",
    "dist",
  );
  return { service, port: port!, lines };
};

describe("compiled services (npm run build, QC_RUN=dist)", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  beforeAll(() => {
    execFileSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], { cwd: ROOT, stdio: "pipe" });
  }, 120_000);

  it("starts from dist/main.js under node alone (no tsx, no source-map translation), and answers its health checks", async () => {
    const { service, port } = await compiledRider();
    cleanups.push(() => service.kill());
    await service.start();
    const cmdline = readFileSync(`/proc/${service.pid}/cmdline`, "utf8").split("\0");
    expect(cmdline).toContain("services/rider/dist/main.js");
    expect(cmdline).not.toContain("--enable-source-maps");
    expect(cmdline.join(" ")).not.toMatch(/tsx/);
    for (const flag of SERVICE_V8_FLAGS) expect(cmdline).toContain(flag);
    const environ = readFileSync(`/proc/${service.pid}/environ`, "utf8").split("\0");
    for (const [name, value] of Object.entries(SERVICE_PROCESS_ENV)) expect(environ).toContain(`${name}=${value}`);
    const health = createHealthClient(`127.0.0.1:${port}`, plaintextTransport);
    cleanups.push(async () => health.close());
    expect(await health.check("", 2_000)).toBe("SERVING");
    expect(await health.check(LIVENESS_SERVICE, 2_000)).toBe("SERVING");
    expect(await service.stop()).toBe(0);
  });

  it("the image runs the services with the same V8 settings and process environment as here", () => {
    const dockerfile = readFileSync(join(ROOT, "deploy", "Dockerfile"), "utf8");
    const cmd = /^CMD (.*)$/m.exec(dockerfile)?.[1] ?? "";
    expect(SERVICE_V8_FLAGS.length).toBeGreaterThan(0);
    expect(cmd).toContain(`exec node ${SERVICE_V8_FLAGS.join(" ")} --import`);
    const env = [...dockerfile.matchAll(/^ENV (\S+)=(\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.keys(SERVICE_PROCESS_ENV).length).toBeGreaterThan(0);
    for (const entry of Object.entries(SERVICE_PROCESS_ENV)) expect(env).toContainEqual(entry);
  });

  it("preloads the compiled telemetry register: with tracing on, Postgres and Redis calls can make spans", async () => {
    // Tracing on (nothing listens at the endpoint: spans are only lost, the service runs the same).
    const { service, lines } = await compiledRider({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" });
    cleanups.push(() => service.kill());
    await service.start();
    const tracing = lines.find((l) => l.includes("tracing on"));
    expect(tracing, lines.join("\n")).toBeDefined();
    expect(JSON.parse(tracing!)).toMatchObject({ databaseSpans: true });
    expect(lines.join("\n")).not.toMatch(/make no spans/);
  });

  it("loads only what each service uses: no database driver in the gateway or the rider service, PGlite only for an embedded database", () => {
    const imports = (name: string) =>
      new Set(
        [
          ...readFileSync(join(ROOT, "services", name, "dist", "main.js"), "utf8").matchAll(
            /^import [^;]*? from "([^"]+)";$/gms,
          ),
        ].map((m) => m[1]!),
      );
    for (const name of ["gateway", "rider"]) {
      const packages = imports(name);
      for (const driver of ["pg", "kysely", "@electric-sql/pglite", "@electric-sql/pglite/node-postgres"])
        expect(packages, `${name} imports ${driver}`).not.toContain(driver);
    }
    for (const name of ["order", "inventory", "payment"]) {
      expect(imports(name), name).toContain("pg");
      // PGlite only when the service opens an embedded database: never on a Postgres server.
      expect(imports(name), name).not.toContain("@electric-sql/pglite");
      expect(readFileSync(join(ROOT, "services", name, "dist", "main.js"), "utf8"), name).toContain(
        'await import("@electric-sql/pglite")',
      );
    }
    // TypeBox only builds the gateway's JSON schemas: its builders are compiled in, not the package's
    // 800 modules loaded from node_modules at start.
    expect(imports("gateway")).not.toContain("typebox");
    expect(readFileSync(join(ROOT, "services", "gateway", "dist", "main.js"), "utf8")).not.toMatch(/from "typebox/);
    // One character outside ASCII (in a kept comment) makes V8 hold the whole source at two bytes a character.
    for (const name of ["gateway", "order", "inventory", "payment", "rider"])
      expect(readFileSync(join(ROOT, "services", name, "dist", "main.js"), "utf8"), name).not.toMatch(
        /[\u0080-\uffff]/,
      );
    // Valibot reads every service's configuration: the few functions used are compiled in.
    for (const name of ["gateway", "order", "inventory", "payment", "rider"]) {
      expect(imports(name), name).not.toContain("valibot");
      expect(imports(name), name).not.toContain("zod");
    }
  });

  it("is chosen by QC_RUN, and refuses to start from a missing build naming the command that makes it", () => {
    expect(defaultRunMode({})).toBe("source");
    expect(defaultRunMode({ QC_RUN: "dist" })).toBe("dist");
    expect(() => defaultRunMode({ QC_RUN: "compiled" })).toThrow(/QC_RUN=compiled/);
    const empty = mkdtempSync(join(tmpdir(), "qc-unbuilt-"));
    try {
      expect(() => assertBuilt("order", empty)).toThrow(
        /services\/order\/dist\/main\.js is missing: run `npm run build`/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
