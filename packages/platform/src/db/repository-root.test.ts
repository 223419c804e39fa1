import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { embeddedDataDir, repositoryRoot } from "./embedded";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url)).replace(/\/$/, "");

describe("repositoryRoot", () => {
  it("is the folder whose package.json declares the workspaces, from the source", () => {
    expect(repositoryRoot()).toBe(ROOT);
    expect(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"))).toHaveProperty("workspaces");
  });

  it("is the same from a service's compiled file, which sits at another depth than this source", () => {
    // services/<name>/dist/main.js: counting `../` from there would land outside the repository.
    expect(repositoryRoot(join(ROOT, "services", "order", "dist", "main.js"))).toBe(ROOT);
    expect(repositoryRoot(join(ROOT, "packages", "platform", "src", "db", "embedded.ts"))).toBe(ROOT);
  });

  it("puts the embedded databases in <root>/.data/<service> unless DATA_DIR is given", () => {
    expect(embeddedDataDir("payment")).toBe(join(ROOT, ".data", "payment"));
    expect(embeddedDataDir("payment", "/tmp/qc-data")).toBe("/tmp/qc-data/payment");
    expect(existsSync(join(ROOT, "services"))).toBe(true);
  });
});
