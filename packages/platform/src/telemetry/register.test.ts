import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/database-spans.ts", import.meta.url));

interface FixtureOutput {
  started: { enabled: boolean; databaseSpans: boolean };
  spans: {
    name: string;
    traceId: string;
    spanId: string;
    parentSpanId: string | null;
    attributes: Record<string, unknown>;
  }[];
}

/** Runs the fixture as a real process, the way the services are started (ESM through tsx). */
async function runFixture(withRegister: boolean): Promise<FixtureOutput> {
  const args = ["--import", "tsx", ...(withRegister ? ["--import", "@qc/platform/telemetry/register"] : []), FIXTURE];
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      // The endpoint only switches tracing on; the fixture exports to memory.
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
      FIXTURE_DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
      FIXTURE_REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as FixtureOutput;
}

// The instrumentations write the stable database conventions (older versions: db.system, db.statement).
const system = (s: FixtureOutput["spans"][number]) => s.attributes["db.system.name"] ?? s.attributes["db.system"];
const statement = (s: FixtureOutput["spans"][number]): string => {
  const text = s.attributes["db.query.text"] ?? s.attributes["db.statement"];
  return typeof text === "string" ? text : "";
};

describe("the --import register file (ESM module hooks for pg and ioredis)", () => {
  it("makes Postgres queries and Redis commands child spans of the active span", async () => {
    const { started, spans } = await runFixture(true);
    expect(started).toEqual({ enabled: true, databaseSpans: true });
    const work = spans.find((s) => s.name === "work");
    const query = spans.find((s) => system(s) === "postgresql" && statement(s).includes("SELECT 1"));
    const redis = spans.find((s) => system(s) === "redis");
    expect(query?.parentSpanId).toBe(work?.spanId);
    expect(query?.traceId).toBe(work?.traceId);
    expect(redis?.name).toBe("get");
    expect(redis?.parentSpanId).toBe(work?.spanId);
    // Outside a span, no span: the query after "work" left none.
    expect(spans.some((s) => statement(s).includes("SELECT 2"))).toBe(false);
  });

  it("without it, tracing still works but the database calls make no spans", async () => {
    const { started, spans } = await runFixture(false);
    expect(started).toEqual({ enabled: true, databaseSpans: false });
    expect(spans.map((s) => s.name)).toEqual(["work"]);
  });
});
