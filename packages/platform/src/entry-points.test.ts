import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/loaded-modules.ts", import.meta.url));

/** What a fresh process loads when it imports `entries` (see the fixture), as services load them under tsx. */
async function loadedBy(...entries: string[]): Promise<{ loaded: string[]; int8: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", FIXTURE, ...entries], {
    cwd: ROOT,
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as { loaded: string[]; int8: string };
}

const packages = (loaded: string[]) =>
  new Set(loaded.flatMap((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? []));

describe("@qc/platform entry points, split by concern", () => {
  it("the logger and the errors load neither pg nor PGlite nor gRPC", async () => {
    const { loaded } = await loadedBy("@qc/platform/log", "@qc/platform/errors");
    const pkgs = packages(loaded);
    expect(pkgs.has("pino")).toBe(true); // the probe sees what is loaded
    for (const heavy of ["pg", "@electric-sql/pglite", "@grpc/grpc-js", "kysely", "prom-client"])
      expect(pkgs, heavy).not.toContain(heavy);
  });

  it("the database entry loads pg but neither PGlite (until an embedded database opens) nor gRPC, and sets no type parser at import", async () => {
    const { loaded, int8 } = await loadedBy("@qc/platform/db");
    const pkgs = packages(loaded);
    expect(pkgs).toContain("pg");
    expect(pkgs).not.toContain("@electric-sql/pglite");
    expect(pkgs).not.toContain("@grpc/grpc-js");
    // BIGINT as a number is createDatabase's choice, made when it runs, not a side effect of the import.
    expect(int8).toBe("string");
  });

  it("the health entry loads gRPC but no proto parser: grpc.health.v1 is encoded in code, not loaded from its .proto at start", async () => {
    const { loaded } = await loadedBy("@qc/platform/health");
    const pkgs = packages(loaded);
    expect(pkgs).toContain("@grpc/grpc-js");
    for (const parser of ["grpc-health-check", "@grpc/proto-loader", "protobufjs"])
      expect(pkgs, parser).not.toContain(parser);
  });
});
