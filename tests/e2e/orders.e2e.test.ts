import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startE2E, type E2E } from "../support/e2e-stack";
import { fixtures, steps, type OrderBody } from "../support/fixtures";

type F = ReturnType<typeof fixtures>;

let e2e: E2E;
let admin: string;

beforeAll(async () => {
  e2e = await startE2E();
  admin = await e2e.token("ops", "admin");
  ({ product, customer, credit, stockOf, balanceOf, order } = fixtures(e2e, admin));
}, 90_000);

afterAll(async () => {
  await e2e?.stop();
});

let product: F["product"];
let customer: F["customer"];
let credit: F["credit"];
let stockOf: F["stockOf"];
let balanceOf: F["balanceOf"];
let order: F["order"];

describe("placing orders through the REST API", () => {
  it("confirms an order and moves stock and money by exactly its amounts", async () => {
    const apple = await product(20, 150);
    const pear = await product(10, 99);
    const alice = await customer(10_000);
    const res = await order(alice.token, [
      { sku: apple, quantity: 3 },
      { sku: pear, quantity: 2 },
    ]);
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/v1/orders/${res.body.id}`);
    expect(res.headers.get("server-timing")).toMatch(/^order;dur=[\d.]+, gateway;dur=[\d.]+$/);
    expect(res.body).toMatchObject({ status: "CONFIRMED", customerId: alice.id, totalCents: 3 * 150 + 2 * 99 });
    expect(res.body.items).toEqual([
      { sku: apple, quantity: 3, priceCents: 150 },
      { sku: pear, quantity: 2, priceCents: 99 },
    ]);
    expect(await stockOf(apple)).toBe(17);
    expect(await stockOf(pear)).toBe(8);
    expect(await balanceOf(alice.id)).toBe(10_000 - 648);
    const read = await e2e.api<OrderBody>("GET", `/v1/orders/${res.body.id}`, { token: alice.token });
    expect(read.status).toBe(200);
    // No rider has reported a location yet: the order waits for one, still CONFIRMED.
    expect(steps(read.body)).toEqual(["order:created", "reserve-stock:done", "charge-payment:done", "saga:confirmed"]);
    expect(read.body.riderId).toBeUndefined();
  });

  it("answers with exactly the order it stored: a read right after shows the same body, timestamps included", async () => {
    const plum = await product(10, 120);
    const paula = await customer(10_000);
    const placed = await order(paula.token, [{ sku: plum, quantity: 2 }]);
    expect(placed.status).toBe(201);
    const read = await e2e.api<OrderBody>("GET", `/v1/orders/${placed.body.id}`, { token: paula.token });
    expect(read.status).toBe(200);
    // The answer was once rebuilt in memory: its createdAt ran ~10 ms ahead of the stored one.
    expect(placed.body).toEqual(read.body);
  });

  it("pays from the balance in the order's currency only: EUR credit is no money for a USD order", async () => {
    const dollar = await product(10, 300, "USD");
    const erin = await customer(10_000, "EUR");
    const declined = await order(erin.token, [{ sku: dollar, quantity: 2 }]);
    expect(declined.status).toBe(402);
    expect(declined.body.code).toBe("PAYMENT_DECLINED");
    expect(declined.body.order).toMatchObject({
      status: "FAILED",
      failureReason: "PAYMENT_DECLINED",
      totalCents: 600,
      currency: "USD",
    });
    expect(await stockOf(dollar)).toBe(10);
    expect(await balanceOf(erin.id, "EUR")).toBe(10_000);
    expect(await balanceOf(erin.id, "USD")).toBe(0);

    // The credit route answers the one balance it credited; no currency means USD.
    const credited = await e2e.api("POST", `/v1/admin/wallets/${erin.id}/credit`, {
      token: admin,
      body: { amountCents: 1_000 },
    });
    expect([credited.status, credited.body]).toEqual([
      200,
      { customerId: erin.id, currency: "USD", balanceCents: 1_000 },
    ]);
    const paid = await order(erin.token, [{ sku: dollar, quantity: 2 }]);
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ status: "CONFIRMED", totalCents: 600, currency: "USD" });
    expect(await stockOf(dollar)).toBe(8);
    expect(await balanceOf(erin.id, "USD")).toBe(400);
    expect(await balanceOf(erin.id, "EUR")).toBe(10_000);

    // And a EUR order is paid from EUR, leaving what is left of the USD.
    const euro = await product(10, 250);
    expect((await order(erin.token, [{ sku: euro, quantity: 1 }])).status).toBe(201);
    expect([await balanceOf(erin.id, "EUR"), await balanceOf(erin.id, "USD")]).toEqual([9_750, 400]);
    await credit(erin.id, 50, "EUR");
    expect(await balanceOf(erin.id, "EUR")).toBe(9_800);
  });

  it("answers 402 for a declined payment and puts the stock back", async () => {
    const sku = await product(5, 500);
    const bob = await customer(100);
    const res = await order(bob.token, [{ sku, quantity: 2 }]);
    expect(res.status).toBe(402);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.code).toBe("PAYMENT_DECLINED");
    expect(res.body.order).toMatchObject({ status: "FAILED", failureReason: "PAYMENT_DECLINED" });
    expect(steps(res.body.order)).toContain("release-stock:done");
    expect(await stockOf(sku)).toBe(5);
    expect(await balanceOf(bob.id)).toBe(100);
  });

  it("answers 409 when stock is short and charges nothing", async () => {
    const sku = await product(1);
    const carol = await customer(10_000);
    const res = await order(carol.token, [{ sku, quantity: 2 }]);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("OUT_OF_STOCK");
    expect(res.body.order).toMatchObject({ status: "FAILED", failureReason: "OUT_OF_STOCK" });
    expect(await balanceOf(carol.id)).toBe(10_000);
    expect(await stockOf(sku)).toBe(1);
  });

  it("sells the last 10 units to exactly 10 of 40 concurrent customers, conserving money", async () => {
    const sku = await product(10, 300);
    const buyers = await Promise.all(Array.from({ length: 40 }, () => customer(1_000)));
    const results = await Promise.all(buyers.map((b) => order(b.token, [{ sku, quantity: 1 }])));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(30);
    expect(await stockOf(sku)).toBe(0);
    const balances = await Promise.all(buyers.map((b) => balanceOf(b.id)));
    expect(balances.reduce((a, b) => a + b, 0)).toBe(40 * 1_000 - 10 * 300);
    expect(balances.filter((b) => b === 700)).toHaveLength(10);
  });

  it("replays the first answer for a repeated Idempotency-Key and refuses it with another body", async () => {
    const sku = await product(10, 100);
    const dave = await customer(1_000);
    const key = randomUUID();
    const first = await order(dave.token, [{ sku, quantity: 1 }], key);
    const again = await order(dave.token, [{ sku, quantity: 1 }], key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await balanceOf(dave.id)).toBe(900);
    expect(await stockOf(sku)).toBe(9);
    const other = await order(dave.token, [{ sku, quantity: 2 }], key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const list = await e2e.api<{ items: OrderBody[] }>("GET", "/v1/orders", { token: dave.token });
    expect(list.body.items).toHaveLength(1);
  });

  it("confirms an order of free items without a charge; refuses mixed currencies and totals over Payment's limit with 422, writing nothing", async () => {
    const free = await product(10, 0);
    const euro = await product(10, 100);
    const dear = await product(20, 1_000_000_000);
    const dollar = `usd-${randomUUID().slice(0, 8)}`;
    const created = await e2e.api("POST", "/v1/admin/products", {
      token: admin,
      body: { sku: dollar, name: "Dollar item", priceCents: 100, currency: "USD", stock: 10 },
    });
    expect(created.status).toBe(201);
    const dan = await customer(1_000);
    // Payment's own ledger, not its API: a zero-total order must not leave even an empty charge row.
    const charges = async (orderId: string) => {
      const db = new pg.Client({ connectionString: e2e.db.url });
      await db.connect();
      try {
        return (
          await db.query<{ n: number }>("SELECT count(*)::int AS n FROM payment.charges WHERE order_id = $1", [orderId])
        ).rows[0]?.n;
      } finally {
        await db.end();
      }
    };

    const zero = await order(dan.token, [{ sku: free, quantity: 2 }], "free-1");
    expect(zero.status).toBe(201);
    expect(zero.body).toMatchObject({ status: "CONFIRMED", totalCents: 0 });
    expect(steps(zero.body)).toEqual([
      "order:created",
      "reserve-stock:done",
      "charge-payment:skipped",
      "saga:confirmed",
    ]);
    expect(await stockOf(free)).toBe(8);
    expect(await charges(zero.body.id)).toBe(0);
    expect(await balanceOf(dan.id)).toBe(1_000);

    const ordersBefore = (await e2e.api<{ items: unknown[] }>("GET", "/v1/orders", { token: dan.token })).body.items
      .length;
    for (const [items, code] of [
      [
        [
          { sku: euro, quantity: 1 },
          { sku: dollar, quantity: 1 },
        ],
        "MIXED_CURRENCIES",
      ],
      [[{ sku: dear, quantity: 11 }], "ORDER_TOTAL_TOO_LARGE"],
    ] as const) {
      // The same key twice: a refusal no retry can change is not a 503 to retry, then or later.
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await order(dan.token, [...items], `never-${code}`);
        expect(res.status, code).toBe(422);
        expect(res.headers.get("content-type")).toContain("application/problem+json");
        expect(res.headers.get("retry-after")).toBeNull();
        expect(res.body.code).toBe(code);
      }
    }
    expect((await e2e.api<{ items: unknown[] }>("GET", "/v1/orders", { token: dan.token })).body.items).toHaveLength(
      ordersBefore,
    );
    expect([await stockOf(euro), await stockOf(dollar), await stockOf(dear)]).toEqual([10, 10, 20]);
    expect(await balanceOf(dan.id)).toBe(1_000);
  });

  it("lists a customer's own orders newest first with a cursor", async () => {
    const sku = await product(10, 10);
    const erin = await customer(1_000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await order(erin.token, [{ sku, quantity: 1 }])).body.id);
    const page1 = await e2e.api<{ items: OrderBody[]; nextCursor: string | null }>("GET", "/v1/orders?limit=2", {
      token: erin.token,
    });
    expect(page1.body.items.map((o) => o.id)).toEqual([ids[2], ids[1]]);
    const page2 = await e2e.api<{ items: OrderBody[]; nextCursor: string | null }>(
      "GET",
      `/v1/orders?limit=2&cursor=${page1.body.nextCursor}`,
      { token: erin.token },
    );
    expect(page2.body.items.map((o) => o.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
  });
});

describe("reading the catalog", () => {
  it("answers concurrent reads of many products, known and unknown, each with its own product or a 404", async () => {
    const skus = await Promise.all(Array.from({ length: 12 }, (_, i) => product(10 + i, 100 + i)));
    const unknown = Array.from({ length: 4 }, () => `nothing-${randomUUID().slice(0, 8)}`);
    // Sent together, these reach the gateway in one round: inventory gets them as batch calls.
    const reads = await Promise.all(
      [...skus, ...unknown, ...skus].map((sku) =>
        e2e.api<{ sku: string; stock: number; priceCents: number; code?: string }>("GET", `/v1/products/${sku}`),
      ),
    );
    const known = [...reads.slice(0, 12), ...reads.slice(16)];
    expect(known.map((r) => [r.status, r.body.sku, r.body.stock, r.body.priceCents])).toEqual(
      [...skus, ...skus].map((sku, i) => [200, sku, 10 + (i % 12), 100 + (i % 12)]),
    );
    expect(reads.slice(12, 16).map((r) => [r.status, r.body.code])).toEqual(
      unknown.map(() => [404, "PRODUCT_NOT_FOUND"]),
    );
  });
});

describe("auth", () => {
  it("answers 401 without or with a bad token, 403 for the wrong role, 404 for another customer's order", async () => {
    const sku = await product(5);
    const frank = await customer(1_000);
    const grace = await customer(1_000);
    expect((await e2e.api("GET", "/v1/orders")).status).toBe(401);
    expect((await e2e.api("GET", "/v1/orders", { token: "not-a-jwt" })).status).toBe(401);
    const forged = (await e2e.token(frank.id, "customer")).slice(0, -2) + "xx";
    expect((await e2e.api("GET", "/v1/orders", { token: forged })).status).toBe(401);
    const forbidden = await e2e.api("POST", "/v1/admin/products", {
      token: frank.token,
      body: { sku: "x", name: "x", priceCents: 1, currency: "EUR", stock: 1 },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe("FORBIDDEN");
    const placed = await order(frank.token, [{ sku, quantity: 1 }]);
    const peek = await e2e.api("GET", `/v1/orders/${placed.body.id}`, { token: grace.token });
    expect(peek.status).toBe(404);
    expect(peek.body.code).toBe("ORDER_NOT_FOUND");
    expect((await e2e.api("GET", `/v1/orders/${placed.body.id}`, { token: admin })).status).toBe(200);
  });
});

describe("bad input", () => {
  it("gets a 4xx with a code, never a 500, and changes nothing", async () => {
    const sku = await product(5, 100);
    const henry = await customer(1_000);
    const cases: { name: string; rawBody?: string; body?: unknown; status: number[] }[] = [
      { name: "malformed JSON", rawBody: '{"items": [', status: [400] },
      { name: "wrong type", body: { items: [{ sku, quantity: "2" }] }, status: [400] },
      { name: "negative quantity", body: { items: [{ sku, quantity: -1 }] }, status: [400] },
      { name: "huge quantity", body: { items: [{ sku, quantity: 1e9 }] }, status: [400] },
      { name: "fractional quantity", body: { items: [{ sku, quantity: 1.5 }] }, status: [400] },
      { name: "no lines", body: { items: [] }, status: [400] },
      { name: "unknown field", body: { items: [{ sku, quantity: 1 }], priceCents: 1 }, status: [400] },
      { name: "unknown sku", body: { items: [{ sku: "no-such-sku", quantity: 1 }] }, status: [422] },
      {
        name: "51 lines",
        body: { items: Array.from({ length: 51 }, (_, i) => ({ sku: `s${i}`, quantity: 1 })) },
        status: [400],
      },
      {
        name: "1 MB body",
        rawBody: JSON.stringify({ items: [{ sku, quantity: 1 }], pad: "x".repeat(1_000_000) }),
        status: [413],
      },
    ];
    for (const c of cases) {
      const res = await e2e.api<{ code?: string; stack?: string }>("POST", "/v1/orders", {
        token: henry.token,
        body: c.body,
        rawBody: c.rawBody,
      });
      expect(c.status, `${c.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toContain(res.status);
      expect(res.body.code, c.name).toMatch(/^[A-Z_]+$/);
      expect(JSON.stringify(res.body), c.name).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(await stockOf(sku)).toBe(5);
    expect(await balanceOf(henry.id)).toBe(1_000);
    const list = await e2e.api<{ items: unknown[] }>("GET", "/v1/orders", { token: henry.token });
    expect(list.body.items).toHaveLength(0);
  });
});
