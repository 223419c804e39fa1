/**
 * The layer rules in .dependency-cruiser.cjs catch what they claim: on a scratch copy of packages/
 * and services/, the lint's own depcruise command passes, and with one violation of each rule seeded
 * it fails and names every seeded file with the rule it breaks.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface Seed {
  rule: string;
  /** The file that breaks the rule (reported as the "from" end); it holds only `source`. */
  file: string;
  /** An import line: depcruise reads imports before compilation, so an unused one counts too. */
  source: string;
  /** Files the seed needs beside it (they break no rule themselves). */
  extra?: Record<string, string>;
}

const one = `export const seeded = 1;\n`;

const seeds: Seed[] = [
  { rule: "domain-is-pure", file: "services/order/src/domain/seeded-pg.ts", source: `import type { Pool } from "pg";` },
  {
    rule: "domain-is-pure",
    file: "services/payment/src/domain/seeded-logger.ts",
    source: `import { createLogger } from "@qc/platform";`,
  },
  {
    rule: "platform-pure-values-are-pure",
    file: "packages/platform/src/errors/seeded-pino.ts",
    source: `import pino from "pino";`,
  },
  {
    rule: "app-no-io-packages",
    file: "services/inventory/src/app/seeded-fastify.ts",
    source: `import Fastify from "fastify";`,
  },
  {
    rule: "app-depends-on-domain-and-ports",
    file: "services/rider/src/app/seeded-contracts.ts",
    source: `import type { riderV1 } from "@qc/contracts";`,
  },
  {
    rule: "app-depends-on-domain-and-ports",
    file: "services/payment/src/app/seeded-adapter.ts",
    source: `import { seeded } from "../adapters/seeded-adapter/seeded.js";`,
    extra: { "services/payment/src/adapters/seeded-adapter/seeded.ts": one },
  },
  {
    rule: "no-composition-root-imports",
    file: "services/inventory/src/adapters/postgres/seeded-root.ts",
    source: `import type * as root from "../../main.js";`,
  },
  {
    rule: "gateway-routes-no-grpc-or-pg",
    file: "services/gateway/src/routes/seeded-grpc.ts",
    source: `import * as grpc from "@grpc/grpc-js";`,
  },
  {
    rule: "gateway-routes-no-grpc-or-pg",
    file: "services/gateway/src/routes/seeded-pg.ts",
    source: `import pg from "pg";`,
  },
  {
    rule: "gateway-routes-no-grpc-or-pg",
    file: "services/gateway/src/routes/seeded-barrel.ts",
    source: `import { AppError } from "@qc/platform";`,
  },
  {
    rule: "vitest-only-in-tests",
    file: "services/rider/src/adapters/memory/seeded-vitest.ts",
    source: `import { expect } from "vitest";`,
  },
  {
    rule: "adapters-are-independent",
    file: "services/rider/src/adapters/memory/seeded-other-adapter.ts",
    source: `import { seeded } from "../seeded-other/seeded.js";`,
    extra: { "services/rider/src/adapters/seeded-other/seeded.ts": one },
  },
  {
    rule: "no-cross-service-imports",
    file: "services/payment/src/seeded-cross.ts",
    source: `import { seeded } from "../../order/src/seeded-target.js";`,
    extra: { "services/order/src/seeded-target.ts": one },
  },
  {
    rule: "no-circular",
    file: "services/order/src/domain/seeded-cycle-a.ts",
    source: `import { b } from "./seeded-cycle-b.js";\nexport const a = 1;`,
    extra: {
      "services/order/src/domain/seeded-cycle-b.ts": `import { a } from "./seeded-cycle-a.js";\nexport const b = 1;\n`,
    },
  },
];

/** The depcruise part of `npm run lint`, so the test runs what CI runs. */
function lintDepcruiseArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const command = (pkg.scripts.lint ?? "")
    .split("&&")
    .map((part) => part.trim())
    .find((part) => part.startsWith("depcruise "));
  if (!command) throw new Error("npm run lint does not run depcruise");
  return command.split(/\s+/).slice(1);
}

/** packages/ and services/ (sources only), the configs, and node_modules linked to the repo's. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "layer-rules-"));
  for (const top of ["packages", "services"]) {
    cpSync(join(repo, top), join(dir, top), {
      recursive: true,
      filter: (src) => !["node_modules", "dist", ".data"].includes(basename(src)),
    });
  }
  for (const file of [".dependency-cruiser.cjs", "tsconfig.json", "package.json"])
    cpSync(join(repo, file), join(dir, file));
  // The workspaces' own links (relative, so they point into the copy); every other package is the repo's.
  mkdirSync(join(dir, "node_modules", "@qc"), { recursive: true });
  for (const entry of readdirSync(join(repo, "node_modules"))) {
    if (entry === "@qc") continue;
    symlinkSync(join(repo, "node_modules", entry), join(dir, "node_modules", entry));
  }
  for (const entry of readdirSync(join(repo, "node_modules", "@qc"))) {
    symlinkSync(readlinkSync(join(repo, "node_modules", "@qc", entry)), join(dir, "node_modules", "@qc", entry));
  }
  for (const top of ["packages", "services"]) {
    for (const workspace of readdirSync(join(repo, top))) {
      const own = join(repo, top, workspace, "node_modules");
      if (existsSync(own)) symlinkSync(own, join(dir, top, workspace, "node_modules"));
    }
  }
  return dir;
}

function depcruise(cwd: string): Promise<{ code: number; output: string }> {
  const bin = join(repo, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...lintDepcruiseArgs()],
      { cwd, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        done({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

function seed(dir: string, files: Record<string, string>): void {
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), source);
  }
}

describe("layer rules (.dependency-cruiser.cjs)", () => {
  let dir: string;

  beforeAll(() => {
    dir = scratchCopy();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("pass on an unseeded copy of the sources", async () => {
    const { code, output } = await depcruise(dir);
    expect(output).toContain("no dependency violations found");
    expect(code).toBe(0);
  }, 120_000);

  it("fail on a seeded copy, naming each seeded violation with its rule", async () => {
    for (const s of seeds) seed(dir, { [s.file]: `${s.source}\n`, ...s.extra });
    const { code, output } = await depcruise(dir);
    expect(code).not.toBe(0);
    const reported = seeds.filter((s) => new RegExp(`error ${s.rule}: ${s.file.replaceAll(".", "\\.")} `).test(output));
    expect(reported.map((s) => `${s.rule} ${s.file}`)).toEqual(seeds.map((s) => `${s.rule} ${s.file}`));
  }, 120_000);
});
