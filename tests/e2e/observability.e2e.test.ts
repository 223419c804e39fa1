/**
 * Observability of the whole platform as real processes: one order is one trace across the gateway,
 * order, inventory and payment (exported over OTLP/HTTP to a receiver in this test), log lines carry
 * the trace, no token is ever logged, and every service's /metrics parses as Prometheus text whose
 * saga, breaker and dead-letter series move when the test makes them move.
 */
import { randomUUID } from "node:crypto";
import type { ServiceName } from "@qc/devstack";
import { parsePrometheusText, type PromScrape } from "@qc/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startE2E, type E2E } from "../support/e2e-stack";
import { fixtures, orderWithStuckRelease, steps, type OrderBody } from "../support/fixtures";
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver";

let receiver: OtlpReceiver;
let e2e: E2E;
let admin: string;
let f: ReturnType<typeof fixtures>;
/** Every line every service wrote, in order. */
const logs: { service: ServiceName; line: string }[] = [];
const TOKEN_MARKERS: string[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  e2e = await startE2E({
    faultProxies: true,
    env: {
      LOG_LEVEL: "debug",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Export within a fraction of a second instead of the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: "100",
    },
    serviceEnv: {
      order: {
        UPSTREAM_TIMEOUT_MS: "400",
        COMPENSATION_BACKOFF_MS: "20",
        DEAD_LETTER_REDRIVE_MS: "600000",
        BREAKER_HALF_OPEN_MS: "500",
      },
    },
    log: (service, line) => {
      logs.push({ service, line });
      if (process.env.E2E_LOGS) console.log(`${service}| ${line}`);
    },
  });
  admin = await e2e.token("ops", "admin");
  TOKEN_MARKERS.push(admin);
  f = fixtures(e2e, admin);
}, 90_000);

afterAll(async () => {
  await e2e?.stop();
  await receiver?.close();
});

const SERVICES: readonly ServiceName[] = ["gateway", "order", "inventory", "payment", "rider"];

async function scrape(service: ServiceName): Promise<PromScrape> {
  const port = e2e.stack.services[service].metricsPort;
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return parsePrometheusText(await res.text());
}

const json = (line: string): Record<string, unknown> | null => {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
};

const dbSystem = (s: ReceivedSpan) => s.attributes["db.system.name"] ?? s.attributes["db.system"];

/** The spans of a trace once it holds every part we wait for (exports arrive in batches). */
async function traceWith(traceId: string, ready: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  return eventually(async () => {
    const spans = receiver.trace(traceId);
    return ready(spans) ? spans : null;
  }, `trace ${traceId} to be complete`);
}

describe("one order, one trace", () => {
  it("links spans from gateway, order, inventory and payment into one trace with correct parents", async () => {
    const sku = await f.product(10, 150);
    const alice = await f.customer(10_000);
    const res = await f.order(alice.token, [{ sku, quantity: 2 }]);
    expect(res.status).toBe(201);
    const traceId = res.headers.get("x-trace-id") ?? "";
    expect(traceId).toMatch(/^[\da-f]{32}$/);
    expect(res.headers.get("traceparent")).toMatch(new RegExp(`^00-${traceId}-[\\da-f]{16}-01$`));

    // Wait for every span asserted below, and for every parent they name: each service exports in its
    // own batches, so any of them (the gateway's root, which ends after the answer, last) may come later.
    const DEDUCT = "qc.inventory.v1.InventoryService/DeductStock";
    const CHARGE = "qc.payment.v1.PaymentService/Charge";
    const CREATE = "qc.order.v1.OrderService/CreateOrder";
    const ASSIGN = "qc.rider.v1.RiderService/AssignNearest";
    const wanted: readonly (readonly [string, string, number?])[] = [
      ["gateway", "POST /v1/orders", SPAN_KIND.server],
      ["gateway", CREATE, SPAN_KIND.client],
      ["order", CREATE, SPAN_KIND.server],
      ["order", "saga"],
      ["order", "saga reserve-stock"],
      ["order", "saga charge-payment"],
      ["order", DEDUCT, SPAN_KIND.client],
      ["inventory", DEDUCT, SPAN_KIND.server],
      ["order", CHARGE, SPAN_KIND.client],
      ["payment", CHARGE, SPAN_KIND.server],
      ["order", ASSIGN, SPAN_KIND.client],
      ["rider", ASSIGN, SPAN_KIND.server],
    ];
    const findIn = (all: readonly ReceivedSpan[], service: string, name: string, kind?: number) =>
      all.find((s) => s.service === service && s.name === name && (kind === undefined || s.kind === kind));
    const spans = await traceWith(traceId, (all) => {
      const ids = new Set(all.map((s) => s.spanId));
      return (
        wanted.every(([service, name, kind]) => findIn(all, service, name, kind)) &&
        all.every((s) => s.parentSpanId === null || ids.has(s.parentSpanId)) &&
        ["order", "inventory", "payment"].every((service) =>
          all.some((s) => s.service === service && dbSystem(s) === "postgresql"),
        ) &&
        all.some((s) => s.service === "inventory" && dbSystem(s) === "redis")
      );
    });
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: ReceivedSpan | undefined) => (s?.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const find = (service: string, name: string, kind?: number) => findIn(spans, service, name, kind);

    // The gateway's request span is the root, named after the route.
    const root = find("gateway", "POST /v1/orders", SPAN_KIND.server);
    expect(root?.parentSpanId).toBeNull();
    expect(root?.attributes).toMatchObject({ "http.route": "/v1/orders", "http.response.status_code": 201 });
    expect(res.headers.get("traceparent")).toContain(root?.spanId);
    // Every other span hangs off a span of the same trace: no broken links.
    for (const s of spans.filter((x) => x !== root))
      expect(byId.has(s.parentSpanId ?? ""), `${s.service} ${s.name}`).toBe(true);

    // gateway → order: the server span's parent is the gateway's client span, child of the request.
    const createOrder = find("order", CREATE, SPAN_KIND.server);
    expect(parentOf(createOrder)).toMatchObject({ service: "gateway", kind: SPAN_KIND.client, name: CREATE });
    expect(parentOf(parentOf(createOrder))).toBe(root);

    // order → inventory and payment, each call inside its saga step, each step inside the saga.
    const orderId = res.body.id;
    const saga = find("order", "saga");
    expect(saga?.attributes["order.id"]).toBe(orderId);
    for (const [step, callee, method] of [
      ["saga reserve-stock", "inventory", DEDUCT],
      ["saga charge-payment", "payment", CHARGE],
    ] as const) {
      const stepSpan = find("order", step);
      expect(stepSpan?.attributes["order.id"]).toBe(orderId);
      expect(parentOf(stepSpan)).toBe(saga);
      const server = find(callee, method, SPAN_KIND.server);
      const client = parentOf(server);
      expect(client).toMatchObject({ service: "order", kind: SPAN_KIND.client, name: method });
      expect(parentOf(client)).toBe(stepSpan);
    }

    // Once paid, the order asks the rider service for the nearest free rider, in the same trace.
    const assign = find("rider", ASSIGN, SPAN_KIND.server);
    expect(parentOf(assign)).toMatchObject({ service: "order", kind: SPAN_KIND.client });

    // Postgres calls are child spans in every service that owns data; Redis too (the catalog cache).
    for (const service of ["order", "inventory", "payment"]) {
      const queries = spans.filter((s) => s.service === service && dbSystem(s) === "postgresql");
      expect(queries.length, `${service} Postgres spans`).toBeGreaterThan(0);
    }
    expect(spans.some((s) => s.service === "inventory" && dbSystem(s) === "redis")).toBe(true);
  });

  it("continues a trace the caller started (W3C traceparent), and answers x-trace-id on errors too", async () => {
    const sku = await f.product(5, 500);
    const bob = await f.customer(100);
    const callerTrace = randomUUID().replaceAll("-", "");
    const res = await e2e.api("POST", "/v1/orders", {
      token: bob.token,
      body: { items: [{ sku, quantity: 1 }] },
      headers: { traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(402);
    expect(res.headers.get("x-trace-id")).toBe(callerTrace);
    // The gateway's server span ends last (after the answer) and may come in a later export.
    const gatewayServer = (s: ReceivedSpan) => s.service === "gateway" && s.kind === SPAN_KIND.server;
    // Wait for each span asserted below: the inventory's AddStock (the release) may come in a later
    // export than its DeductStock.
    const addStock = (s: ReceivedSpan) =>
      s.service === "inventory" && s.name === "qc.inventory.v1.InventoryService/AddStock";
    const spans = await traceWith(
      callerTrace,
      (all) => all.some((s) => s.name === "saga release-stock") && all.some(addStock) && all.some(gatewayServer),
    );
    expect(spans.find(gatewayServer)?.parentSpanId).toBe("00f067aa0ba902b7");
    const release = spans.find((s) => s.name === "saga release-stock");
    expect(release?.attributes).toMatchObject({
      "saga.compensation": true,
      "order.id": (res.body.order as { id: string }).id,
    });
    expect(spans.some((s) => addStock(s) && s.parentSpanId !== null)).toBe(true);
  });
});

describe("logs", () => {
  it("put trace_id and span_id on every line of a request, and log the saga's outcome with its order id", async () => {
    const sku = await f.product(10, 100);
    const carol = await f.customer(1_000);
    const res = await f.order(carol.token, [{ sku, quantity: 1 }]);
    const traceId = res.headers.get("x-trace-id") ?? "";
    const lines = () => logs.map((l) => ({ service: l.service, entry: json(l.line) }));
    const finished = await eventually(
      async () => lines().find((l) => l.entry?.msg === "saga finished" && l.entry.orderId === res.body.id),
      "the saga outcome line",
    );
    expect(finished.service).toBe("order");
    expect(finished.entry).toMatchObject({ level: 30, status: "CONFIRMED", trace_id: traceId });
    expect(finished.entry?.span_id).toMatch(/^[\da-f]{16}$/);
    // The gateway's lines of this request: the request id is the trace id, and each has the span ids.
    const gatewayLines = await eventually(async () => {
      const mine = lines().filter((l) => l.service === "gateway" && l.entry?.reqId === traceId);
      return mine.some((l) => l.entry?.msg === "request completed") ? mine : null;
    }, "the gateway's request lines");
    expect(gatewayLines.map((l) => l.entry?.msg)).toEqual(
      expect.arrayContaining(["incoming request", "request completed"]),
    );
    for (const l of gatewayLines)
      expect(l.entry).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[\da-f]{16}$/) as unknown });
    // Every service writes JSON, one line per event.
    for (const { service, line } of logs) expect(json(line), `${service}: ${line}`).not.toBeNull();
  });

  it("never write a bearer token, even at debug level", async () => {
    const dave = await f.customer(1_000);
    TOKEN_MARKERS.push(dave.token);
    const forged = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('{"sub":"mallory","role":"admin"}').toString("base64url")}.forged-signature-${randomUUID()}`;
    TOKEN_MARKERS.push(forged);
    const answers = [
      await e2e.api("GET", "/v1/orders", { token: dave.token }),
      await e2e.api("GET", "/v1/admin/dead-letters", { token: forged }),
      await e2e.api("GET", "/v1/orders", { headers: { authorization: `Basic ${forged}` } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 401]);
    // Every line of these requests is written once the gateway logged each one's completion.
    const traceIds = answers.map((a) => a.headers.get("x-trace-id"));
    await eventually(async () => {
      const completed = new Set(
        logs.map((l) => json(l.line)).flatMap((e) => (e?.msg === "request completed" ? [e.reqId] : [])),
      );
      return traceIds.every((id) => completed.has(id));
    }, "the gateway to log each request's completion");
    expect(logs.some((l) => json(l.line)?.level === 20)).toBe(true); // debug lines were written
    const all = logs.map((l) => l.line).join("\n");
    for (const token of TOKEN_MARKERS) {
      expect(all).not.toContain(token);
      // Not even the signature part alone.
      expect(all).not.toContain(token.split(".")[2]);
    }
    expect(all.toLowerCase()).not.toContain("bearer ");
  });
});

describe("metrics", () => {
  it("serve every service's /metrics as valid Prometheus text with runtime, request and RPC series", async () => {
    const scrapes = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await scrape(s)] as const)));
    for (const s of SERVICES) expect(scrapes[s]?.families.has("process_resident_memory_bytes"), s).toBe(true);
    const gateway = scrapes.gateway!;
    expect(
      gateway.value("http_server_duration_seconds_count", { route: "/v1/orders", method: "POST", status: "201" }),
    ).toBeGreaterThan(0);
    expect(
      gateway.value("http_server_duration_seconds_count", { route: "/v1/orders", method: "POST", status: "402" }),
    ).toBeGreaterThan(0);
    // The route is the pattern, never the URL with an id in it.
    const routes = new Set(gateway.families.get("http_server_duration_seconds")?.samples.map((x) => x.labels.route));
    expect([...routes].filter((r) => r && /[\da-f]{8}-[\da-f]{4}/.test(r))).toEqual([]);
    expect(
      scrapes.order?.value("rpc_server_duration_seconds_count", {
        service: "qc.order.v1.OrderService",
        method: "CreateOrder",
        code: "OK",
      }),
    ).toBeGreaterThan(0);
    expect(
      scrapes.inventory?.value("rpc_server_duration_seconds_count", {
        service: "qc.inventory.v1.InventoryService",
        method: "DeductStock",
        code: "OK",
      }),
    ).toBeGreaterThan(0);
    expect(
      scrapes.payment?.value("rpc_server_duration_seconds_count", {
        service: "qc.payment.v1.PaymentService",
        method: "Charge",
        code: "FAILED_PRECONDITION",
      }),
    ).toBeGreaterThan(0);
    expect(scrapes.inventory?.sum("catalog_cache_requests_total")).toBeGreaterThan(0);
    expect(gateway.value("circuit_breaker_state", { caller: "gateway", target: "order" })).toBe(0);
    expect(scrapes.order?.value("circuit_breaker_state", { caller: "order", target: "inventory" })).toBe(0);
  });

  it("count saga outcomes by status and reason, and their duration", async () => {
    const before = await scrape("order");
    const sku = await f.product(10, 200);
    const rich = await f.customer(10_000);
    const poor = await f.customer(10);
    expect((await f.order(rich.token, [{ sku, quantity: 1 }])).status).toBe(201);
    expect((await f.order(poor.token, [{ sku, quantity: 1 }])).status).toBe(402);
    expect((await f.order(rich.token, [{ sku, quantity: 50 }])).status).toBe(409);
    const after = await scrape("order");
    const delta = (labels: Record<string, string>) =>
      (after.value("saga_outcomes_total", labels) ?? 0) - (before.value("saga_outcomes_total", labels) ?? 0);
    expect(delta({ status: "CONFIRMED", reason: "none" })).toBe(1);
    expect(delta({ status: "FAILED", reason: "PAYMENT_DECLINED" })).toBe(1);
    expect(delta({ status: "FAILED", reason: "OUT_OF_STOCK" })).toBe(1);
    expect((after.value("saga_duration_seconds_count") ?? 0) - (before.value("saga_duration_seconds_count") ?? 0)).toBe(
      3,
    );
    expect(
      (after.value("saga_compensations_total", { step: "release-stock", outcome: "done" }) ?? 0) -
        (before.value("saga_compensations_total", { step: "release-stock", outcome: "done" }) ?? 0),
    ).toBe(1);
  });

  it("time rider assignments from the order's confirmation", async () => {
    const before = (await scrape("order")).value("rider_assignment_seconds_count") ?? 0;
    const riderId = `rider-${randomUUID().slice(0, 8)}`;
    // Far (over the 10 km assignment radius) from the store, where the other tests' orders are
    // delivered: those that missed a rider are retried in the background, and one of them would take
    // this rider if it were in their reach, leaving this order none.
    const potsdam = { lat: 52.3906, lon: 13.0645 };
    const location = await e2e.api("PUT", `/v1/riders/${riderId}/location`, {
      token: await e2e.token(riderId, "rider"),
      body: { ...potsdam, available: true },
    });
    expect(location.status).toBe(204);
    const sku = await f.product(5, 100);
    const erin = await f.customer(1_000);
    const res = await e2e.api<OrderBody>("POST", "/v1/orders", {
      token: erin.token,
      body: { items: [{ sku, quantity: 1 }], deliveryLocation: potsdam },
    });
    // Usually in the answer; on a loaded machine the first try may miss (a slow Rider call) and the
    // background retry assigns the rider a moment later: timed from the confirmation either way.
    const assigned =
      res.body.riderId ??
      (await eventually(
        async () =>
          (await e2e.api<{ riderId?: string }>("GET", `/v1/orders/${String(res.body.id)}`, { token: erin.token })).body
            .riderId,
        "a rider",
      ));
    expect(assigned).toBe(riderId);
    const after = await eventually(async () => {
      const s = await scrape("order");
      return (s.value("rider_assignment_seconds_count") ?? 0) > before && s;
    }, "the assignment's timing");
    expect((after.value("rider_assignment_seconds_count") ?? 0) - before).toBe(1);
    expect(after.families.get("rider_assignment_seconds")?.type).toBe("histogram");
    expect(after.families.has("rider_assignment_misses_total")).toBe(true);
    // Rider metrics of its own: its RPCs by method and code.
    expect(
      (await scrape("rider")).value("rpc_server_duration_seconds_count", { method: "AssignNearest", code: "OK" }),
    ).toBeGreaterThan(0);
  });

  it("show a dead letter and the retries before it, then a breaker opening and closing again", async () => {
    const { proxies } = e2e;
    if (!proxies) throw new Error("fault proxies expected");
    const before = await scrape("order");
    const open0 = before.value("dead_letters_open") ?? 0;

    // A compensation that cannot run: inventory goes away between the deduction and the refusal.
    const { sku, answer } = await orderWithStuckRelease(e2e, f);
    const res = await answer;
    expect(res.status).toBe(402);
    expect(steps(res.body.order)).toContain("release-stock:dead-lettered");

    const afterDeadLetter = await scrape("order");
    expect(afterDeadLetter.value("dead_letters_open")).toBe(open0 + 1);
    const compensations = (s: PromScrape, outcome: string) =>
      s.value("saga_compensations_total", { step: "release-stock", outcome }) ?? 0;
    expect(compensations(afterDeadLetter, "retry") - compensations(before, "retry")).toBe(3);
    expect(compensations(afterDeadLetter, "dead-lettered") - compensations(before, "dead-lettered")).toBe(1);

    // Inventory still refused: the order service's breaker towards it opens.
    const transitions = (s: PromScrape, state: string) =>
      s.value("circuit_breaker_transitions_total", { caller: "order", target: "inventory", state }) ?? 0;
    const rich = await f.customer(10_000);
    await eventually(async () => {
      await f.order(rich.token, [{ sku, quantity: 1 }]);
      return (await scrape("order")).value("circuit_breaker_state", { caller: "order", target: "inventory" }) === 2;
    }, "the order→inventory breaker to open");
    const opened = await scrape("order");
    expect(transitions(opened, "open") - transitions(before, "open")).toBeGreaterThanOrEqual(1);
    expect(opened.value("circuit_breaker_state", { caller: "order", target: "payment" })).toBe(0);

    // Inventory back: after the half-open trial the breaker closes, and the series say so.
    proxies.inventory.set({ kind: "pass" });
    await eventually(async () => {
      await f.order(rich.token, [{ sku, quantity: 1 }]);
      return (await scrape("order")).value("circuit_breaker_state", { caller: "order", target: "inventory" }) === 0;
    }, "the order→inventory breaker to close");
    const closed = await scrape("order");
    expect(transitions(closed, "half-open") - transitions(before, "half-open")).toBeGreaterThanOrEqual(1);
    expect(transitions(closed, "closed") - transitions(before, "closed")).toBeGreaterThanOrEqual(1);

    // Orders placed while inventory refused left dead letters too (their deduction's outcome was
    // unknown); replayed now that inventory is back, they are resolved and the gauge goes back down.
    const open = (
      await e2e.api<{ items: { id: string; orderId: string }[] }>("GET", "/v1/admin/dead-letters", { token: admin })
    ).body.items;
    expect(open.some((d) => d.orderId === res.body.order?.id)).toBe(true);
    expect((await scrape("order")).value("dead_letters_open")).toBe(open.length);
    for (const letter of open)
      expect((await e2e.api("POST", `/v1/admin/dead-letters/${letter.id}/replay`, { token: admin })).status).toBe(200);
    expect((await scrape("order")).value("dead_letters_open")).toBe(0);
  });
});
