/**
 * `npm start` as a person runs it: every port from the environment (metrics too), what it is doing
 * while it starts, tokens for every demo user, and every service stopped by a signal sent to the npm
 * process itself — SIGTERM (npm forwards it) and SIGHUP (npm dies of it; the script notices).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePorts } from "@qc/devstack";
import { embeddedTemplate } from "@qc/platform/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "qc-start-e2e-"));
  // Two databases start from an initialised copy to save time; payment's runs initdb as a first start does.
  for (const service of ["order", "inventory"])
    await cp(await embeddedTemplate(), join(dataDir, service), { recursive: true });
}, 90_000);
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Every process below `pid` (from /proc: each process's parent). */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid) parents.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parents) {
      if (parent !== p) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const until = async (what: () => boolean | Promise<boolean>, timeoutMs: number, message: () => string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 100));
  }
};

interface Started {
  npm: ChildProcess;
  out: string[];
  ports: Record<string, number>;
  services: number[];
}
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.exitCode === null) p.kill("SIGKILL");
});

async function npmStart(until_: "up" | "gateway listening" = "up"): Promise<Started> {
  const free = await freePorts(10);
  const names = ["GATEWAY", "ORDER", "INVENTORY", "PAYMENT", "RIDER"];
  const ports: Record<string, number> = {};
  names.forEach((n, i) => {
    ports[`${n}_PORT`] = free[i]!;
    ports[`${n}_METRICS_PORT`] = free[i + 5]!;
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const npm = spawn("npm", ["start"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  running.push(npm);
  const out: string[] = [];
  for (const stream of [npm.stdout, npm.stderr])
    stream.on("data", (d: Buffer) => out.push(...d.toString().split("\n")));
  if (until_ === "gateway listening") {
    // The moment the platform seeds its demo data: every service runs, the start is not finished.
    await until(
      () => out.some((l) => l.includes("gateway service listening")),
      120_000,
      () => `the gateway did not listen:\n${out.slice(-40).join("\n")}`,
    );
    const services = (await descendants(npm.pid!)).filter((pid) => alive(pid));
    return { npm, out, ports, services };
  }
  await until(
    () => out.some((l) => l.includes("Quick-commerce platform is up")),
    120_000,
    () => `npm start did not come up:\n${out.slice(-40).join("\n")}`,
  );
  await until(
    () => out.some((l) => l.includes("Ctrl-C")),
    5_000,
    () => "no closing line",
  );
  const services = (await descendants(npm.pid!)).filter((pid) => alive(pid));
  return { npm, out, ports, services };
}

describe("npm start", () => {
  it("takes every port from the environment, says what it does, prints a token per demo user, and stops on SIGTERM to npm", async () => {
    const { npm, out, ports, services } = await npmStart();
    const text = out.join("\n");
    // Service ports and metrics ports as given: the gateway answers, every service serves /metrics.
    expect((await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/readyz`)).status).toBe(200);
    for (const name of ["GATEWAY", "ORDER", "INVENTORY", "PAYMENT", "RIDER"]) {
      expect((await fetch(`http://127.0.0.1:${ports[`${name}_METRICS_PORT`]}/metrics`)).status, name).toBe(200);
    }
    // Progress while the databases start: which service, which step.
    expect(text).toMatch(/initialising one embedded database \(initdb\) for payment…/); // order and inventory were copied in above
    expect(text).toMatch(/payment\s*\|.*opening the embedded database/);
    expect(text).toMatch(/order\s*\|.*migrating schema orders/);
    expect(text).toMatch(/gateway\s*\|.*listening/);
    // A token for each demo user.
    for (const who of ["alice", "bob", "rider-1", "admin"])
      expect(
        out.find((l) => l.trimStart().startsWith(who)),
        who,
      ).toMatch(JWT);

    expect(services.length).toBeGreaterThanOrEqual(6); // node start.ts and the five services
    npm.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => npm.once("exit", (c) => resolve(c)));
    await until(
      () => services.every((pid) => !alive(pid)),
      30_000,
      () => `still running: ${services.filter(alive).join(", ")}`,
    );
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/stopped \(exit codes: (\w+ 0(, |\))){5}/);
  }, 180_000);

  it("stops every service when npm dies of a signal it does not forward (SIGHUP)", async () => {
    const { npm, out, services } = await npmStart();
    npm.kill("SIGHUP");
    await until(
      () => services.every((pid) => !alive(pid)),
      30_000,
      () => `still running after SIGHUP: ${services.filter(alive).join(", ")}\n${out.slice(-20).join("\n")}`,
    );
  }, 180_000);
});

describe("npm start stopped while it seeds", () => {
  it("stops every service and exits 0 on a SIGTERM that arrives before it is up", async () => {
    const { npm, out, services } = await npmStart("gateway listening");
    const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
    npm.kill("SIGTERM");
    expect(await exited).toBe(0);
    await until(
      () => services.every((pid) => !alive(pid)),
      30_000,
      () => `still running after SIGTERM: ${services.filter(alive).join(", ")}\n${out.slice(-20).join("\n")}`,
    );
    expect(out.join("\n")).not.toMatch(/fetch failed|TypeError/);
  }, 180_000);
});

describe("npm run token", () => {
  it("prints the token and nothing else on stdout (with -s, npm prints no banner of its own)", async () => {
    const run = (args: string[]) =>
      new Promise<string>((resolve, reject) => {
        const p = spawn("npm", args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
        let stdout = "";
        p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        p.once("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}`))));
      });
    const stdout = await run(["run", "-s", "token", "--", "--sub", "bob", "--role", "customer"]);
    expect(stdout).toMatch(new RegExp(`^${JWT.source}\\n$`));
  }, 30_000);
});
