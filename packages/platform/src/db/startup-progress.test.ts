import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, migrate } from "./database";

/** What a service prints while its embedded database starts: `npm start` shows these lines. */
describe("embedded database start-up progress", () => {
  let dir: string;
  let migrations: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "qc-progress-"));
    migrations = join(dir, "migrations");
    await mkdir(migrations);
    await writeFile(join(migrations, "0001_things.sql"), "CREATE TABLE things (id text PRIMARY KEY);");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const open = async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: "info" },
      { write: (line: string) => void lines.push((JSON.parse(line) as { msg: string }).msg) },
    );
    const database = createDatabase({ dataDir: join(dir, "data"), schema: "progress_test", logger });
    await migrate(database.db, "progress_test", migrations, logger);
    await database.close();
    return lines;
  };

  it("says which step it is in at info: initdb on a first start, opening, migrating, what was applied", async () => {
    const first = await open();
    // The database starts on its first query, which is the migration's.
    const step = (pattern: RegExp) => first.findIndex((l) => pattern.test(l));
    const steps = [
      step(/^migrating schema progress_test…$/),
      step(/^initialising the embedded database in .*data \(first start: initdb/),
      step(/^embedded database initialised in \d+\.\d s$/),
      step(/^opening the embedded database…$/),
      step(/^embedded database open \(\d+\.\d s\)$/),
      step(/^schema progress_test: 1 migration\(s\) applied \(0001_things\)$/),
    ];
    expect(steps, first.join("\n")).not.toContain(-1);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });

  it("on a restart skips initdb and finds the schema up to date", async () => {
    const again = await open();
    expect(again.some((l) => l.startsWith("initialising"))).toBe(false);
    expect(again).toContain("opening the embedded database…");
    expect(again.at(-1)).toBe("schema progress_test is up to date");
  });
});
