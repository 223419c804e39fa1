import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "./database";
import { initialiseEmbeddedDataDirs } from "./embedded-template";

describe("initialiseEmbeddedDataDirs (a first npm start runs initdb once)", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "qc-initdb-once-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("gives each service without a folder an initialised database from one initdb, and leaves existing folders alone", async () => {
    await mkdir(join(root, "payment")); // half made by an earlier start: the service's own start deals with it
    await writeFile(join(root, "payment", "marker"), "");
    await mkdir(join(root, ".initdb-left-by-a-killed-start"));
    const lines: string[] = [];
    expect(await initialiseEmbeddedDataDirs(["order", "inventory", "payment"], root, (l) => lines.push(l))).toEqual([
      "order",
      "inventory",
    ]);
    expect(lines[0]).toBe("initialising one embedded database (initdb) for order, inventory…");
    expect(lines[1]).toMatch(/^embedded databases initialised in \d+\.\d s$/);
    for (const s of ["order", "inventory"]) expect(existsSync(join(root, s, "PG_VERSION")), s).toBe(true);
    expect(await readdir(join(root, "payment"))).toEqual(["marker"]);
    expect((await readdir(root)).sort()).toEqual(["inventory", "order", "payment"]);
    // A copy opens as a database of its own.
    const database = createDatabase({ dataDir: join(root, "order"), schema: "copy_test" });
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
    await database.close();
    // Nothing left to do the second time.
    expect(await initialiseEmbeddedDataDirs(["order", "inventory"], root)).toEqual([]);
  }, 120_000);
});
