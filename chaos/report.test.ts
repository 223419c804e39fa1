import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RecordedAnswer } from "./invariants";
import { answerKey, saveResult, type ChaosResult } from "./report";
import { perSecond, timelineSvg } from "./timeline";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const answer = (
  status: number,
  endedAfterMs: number,
  tookMs: number,
  extra: Partial<RecordedAnswer> = {},
): RecordedAnswer => ({
  kind: "order",
  path: "POST /v1/orders",
  status,
  hung: false,
  startedAt: t0 + endedAfterMs - tookMs,
  endedAt: t0 + endedAfterMs,
  ...extra,
});

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe("the chaos report", () => {
  it("counts 503s by their problem code, and requests past the deadline as hung", () => {
    expect(answerKey(answer(503, 0, 1, { code: "CIRCUIT_OPEN" }))).toBe("503 CIRCUIT_OPEN");
    expect(answerKey(answer(0, 0, 15_000, { hung: true }))).toBe("hung");
    expect(answerKey(answer(201, 0, 1))).toBe("201");
  });

  it("keeps the other mode's entry when a run writes its own", async () => {
    dir = await mkdtemp(join(tmpdir(), "chaos-report-"));
    const path = join(dir, "latest.json");
    const entry = (mode: "postgres" | "embedded", seed: number) => ({ mode, seed }) as unknown as ChaosResult;
    await saveResult(path, entry("embedded", 1));
    await saveResult(path, entry("postgres", 2));
    await saveResult(path, entry("embedded", 3));
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      postgres: { mode: "postgres", seed: 2 },
      embedded: { mode: "embedded", seed: 3 },
    });
  });
});

describe("the timeline", () => {
  it("buckets order answers per second by outcome, with each second's p99 latency", () => {
    const answers = [
      answer(201, 100, 10),
      answer(201, 900, 30),
      answer(503, 1_500, 5_000),
      answer(402, 2_200, 20),
      answer(0, 2_500, 15_000, { hung: true }),
    ];
    const { counts, p99 } = perSecond({
      startedAt: t0,
      settledAt: t0 + 3_000,
      answers: [...answers, answer(204, 100, 1, { kind: "location" })],
    });
    expect(counts.map((c) => c.join(","))).toEqual(["2,0,0", "0,0,0", "0,0,1", "0,1,0", "0,0,1"]);
    expect(p99).toEqual([30, 5_000, 15_000]);
  });

  it("draws faults, rates and latency as one SVG", () => {
    const svg = timelineSvg({
      title: "a <run>",
      startedAt: t0,
      faultsEndedAt: t0 + 2_000,
      settledAt: t0 + 3_000,
      faults: [{ kind: "kill", target: "order-1", startedAt: t0 + 500, endedAt: t0 + 1_500, skipped: false }],
      targets: ["order-1", "gateway→order-1"],
      answers: [answer(201, 100, 10)],
    });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("a &lt;run&gt;");
    expect(svg).toContain("<title>kill order-1</title>");
    expect(svg).toContain("gateway→order-1");
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });
});
