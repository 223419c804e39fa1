import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JWT_SECRET, startE2E, type E2E } from "../support/e2e-stack";
import { fixtures } from "../support/fixtures";
import { fetchOperations, type Operation } from "../support/fuzz/openapi";
import { requestCase, type FuzzCase } from "../support/fuzz/request-case";
import type { Hints } from "../support/fuzz/schema-arbitrary";
import { closeConnections, send, type Answer } from "../support/fuzz/send";
import { differences, stateReader, type StateReader } from "../support/fuzz/state-snapshot";
import { tokenSet, type Subjects } from "../support/fuzz/tokens";

/**
 * Property-based fuzzing of the public API: requests for every operation of the gateway's own OpenAPI
 * document (valid, near-valid and hostile bodies, parameters, query strings, headers and tokens)
 * against the whole stack. FUZZ_SEED replays a run, FUZZ_RUNS sets its length (2,000 by default).
 */
const runs = Number(process.env.FUZZ_RUNS ?? 2_000);
const seed =
  process.env.FUZZ_SEED === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(process.env.FUZZ_SEED);

// Budgets far above the run's volume: every refusal is then the answer to the request itself, not
// to the requests before it (30 failed authentications a minute would turn most hostile tokens into 429s).
const RATE_LIMITS = {
  RATE_LIMIT_PER_PRINCIPAL: "1000000",
  RATE_LIMIT_PER_ADDRESS: "1000000",
  RATE_LIMIT_AUTH_FAILURES: "1000000",
};

const PROBLEM = /^application\/problem\+json/;

let e2e: E2E;
let state: StateReader;
let operations: Operation[];
let hints: (op: Operation) => Hints;
let subjects: Subjects;
const statuses = new Map<number, number>();
/** Errors by status and code ("409 OUT_OF_STOCK"), to see which refusals the run reached. */
const codes = new Map<string, number>();
const count = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

beforeAll(async () => {
  e2e = await startE2E({ env: { LOG_LEVEL: "warn", ...RATE_LIMITS } });
  state = await stateReader(e2e.db.url);
  const admin = await e2e.token("fuzz-ops", "admin");
  const f = fixtures(e2e, admin);
  // Data for valid requests to find: cheap and dear products, one free, one in another currency, a
  // customer with money (in both currencies) and one without, a rider on the map, a confirmed and a failed order.
  const skus = [
    await f.product(1_000, 150),
    await f.product(1_000, 99),
    await f.product(500, 0),
    await f.product(100, 1_000_000_000),
  ];
  const usd = `usd-${skus[0]}`;
  expect(
    (
      await e2e.api("POST", "/v1/admin/products", {
        token: admin,
        body: { sku: usd, name: "Dollar item", priceCents: 300, currency: "USD", stock: 1_000 },
      })
    ).status,
  ).toBe(201);
  skus.push(usd);
  // A balance in each currency the products are in (a wallet holds one per currency), so both kinds of order can be paid.
  const alice = await f.customer(1_000_000_000);
  await f.credit(alice.id, 1_000_000_000, "USD");
  const bob = await f.customer(0);
  const rider = "fuzz-rider";
  expect(
    (
      await e2e.api("PUT", `/v1/riders/${rider}/location`, {
        token: await e2e.token(rider, "rider"),
        body: { lat: 52.52, lon: 13.4, available: true },
      })
    ).status,
  ).toBe(204);
  const confirmed = await f.order(alice.token, [{ sku: skus[0] ?? "", quantity: 1 }]);
  const failed = await f.order(bob.token, [{ sku: skus[1] ?? "", quantity: 1 }]);
  const orderIds = [confirmed.body.id, failed.body.order?.id].filter((id): id is string => typeof id === "string");
  subjects = { customer: [alice.id, bob.id, "fuzz-ghost"], rider: [rider], admin: ["fuzz-ops"] };
  hints = (op) => (name) => {
    switch (name) {
      case "sku":
        return fc.constantFrom(...skus);
      case "customerId":
        return fc.constantFrom(...subjects.customer);
      case "currency":
        return fc.constantFrom("EUR", "USD");
      case "idempotency-key":
        return fc.constantFrom("fuzz-key-1", "fuzz-key-2");
      case "id":
        if (op.path.startsWith("/v1/orders")) return fc.constantFrom(...orderIds);
        if (op.path.startsWith("/v1/riders")) return fc.constantFrom(...subjects.rider);
        return undefined;
      default:
        return undefined;
    }
  };
  operations = await fetchOperations(e2e.stack.gatewayUrl);
}, 120_000);

afterAll(async () => {
  const counts = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`);
  console.log(
    `fuzz: seed ${seed}, ${runs} runs; answers by status: ${counts.join(", ")} (replay: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} npx vitest run tests/e2e/fuzz.e2e.test.ts)`,
  );
  console.log(
    `fuzz: errors by code: ${[...codes.entries()]
      .sort()
      .map(([code, n]) => `${code}: ${n}`)
      .join(", ")}`,
  );
  closeConnections();
  await state?.close();
  await e2e?.stop();
});

/** The problems with one answer, as sentences; none when it is sound. */
async function check(
  c: FuzzCase,
  answer: Answer,
  before: Awaited<ReturnType<StateReader["snapshot"]>> | null,
): Promise<string[]> {
  const problems: string[] = [];
  if (answer.status >= 500 && answer.status !== 503) problems.push(`answered ${answer.status}`);
  let reportedOrder: string | undefined;
  if (answer.status >= 400) {
    if (!PROBLEM.test(answer.contentType))
      problems.push(`error ${answer.status} as ${answer.contentType || "no content type"}`);
    try {
      const body = JSON.parse(answer.text) as { status?: unknown; code?: unknown; order?: { id?: unknown } };
      if (body.status !== answer.status || typeof body.code !== "string")
        problems.push(`problem body without its status and code: ${answer.text.slice(0, 200)}`);
      if (typeof body.order?.id === "string") reportedOrder = body.order.id;
      count(codes, `${answer.status} ${String(body.code)}`);
    } catch {
      problems.push(`error body is not JSON: ${answer.text.slice(0, 200)}`);
    }
  }
  if (answer.status === 202) await state.settled();
  if (before !== null && answer.status >= 400) {
    await state.settled();
    problems.push(...differences(before, await state.snapshot(), reportedOrder).map((d) => `refused, yet ${d}`));
  }
  return problems;
}

describe("fuzzing the public API from its OpenAPI document", () => {
  it(`answers ${runs} generated requests without a 5xx but 503, with problems for errors, changing nothing when refusing`, async () => {
    console.log(`fuzz: seed ${seed}, ${runs} runs over ${operations.length} operations (FUZZ_SEED, FUZZ_RUNS)`);
    expect(operations.length).toBeGreaterThanOrEqual(16);
    const property = fc.asyncProperty(
      requestCase(operations, { tokens: await tokenSet(JWT_SECRET, subjects), hints }),
      async (c) => {
        const mutation = c.method !== "GET";
        let before = null;
        if (mutation) {
          await state.settled();
          before = await state.snapshot();
        }
        const answer = await send(e2e.stack.gatewayUrl, c);
        count(statuses, answer.status);
        const problems = await check(c, answer, before);
        expect(problems, `${c.method} ${c.url} → ${answer.status} ${answer.text.slice(0, 300)}`).toEqual([]);
      },
    );
    // No shrinking: each case runs against the state the earlier ones left, so a shrunk case would not
    // replay the failure; the failing case and the seed are what a replay needs.
    await fc.assert(property, { seed, numRuns: runs, endOnFailure: true });
  }, 240_000);
});
