import { describe, expect, it } from "vitest";
import {
  checkInvariants,
  sagaDriverProblem,
  subsetSumming,
  summarize,
  walletKey,
  type HistoryRow,
  type Ledgers,
  type RecordedAnswer,
  type RunRecord,
} from "./invariants";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const h = (step: string, outcome: string, ms: number, detail = ""): HistoryRow => ({
  step,
  outcome,
  detail,
  atMs: t0 + ms,
});
const answer = (status: number, orderId?: string, extra: Partial<RecordedAnswer> = {}): RecordedAnswer => ({
  kind: "order",
  startedAt: t0,
  endedAt: t0 + 20,
  status,
  hung: false,
  path: "POST /v1/orders",
  ...(orderId ? { orderId } : {}),
  ...extra,
});

/** A consistent end state: ann bought 2 apples (confirmed, 500 EUR) and 1 pear (failed, compensated), and holds USD she never spent; bob was declined. */
function consistent(): { ledgers: Ledgers; run: RunRecord } {
  const ledgers: Ledgers = {
    orders: [
      {
        id: "o1",
        customerId: "ann",
        status: "CONFIRMED",
        totalCents: 500,
        currency: "EUR",
        riderId: "r1",
        lines: [{ sku: "apple", quantity: 2 }],
      },
      {
        id: "o2",
        customerId: "ann",
        status: "FAILED",
        totalCents: 300,
        currency: "EUR",
        riderId: null,
        lines: [{ sku: "pear", quantity: 1 }],
      },
      {
        id: "o3",
        customerId: "bob",
        status: "FAILED",
        totalCents: 250,
        currency: "EUR",
        riderId: null,
        lines: [{ sku: "apple", quantity: 1 }],
      },
      {
        id: "o4",
        customerId: "ann",
        status: "DELIVERED",
        totalCents: 300,
        currency: "EUR",
        riderId: "r1",
        lines: [{ sku: "pear", quantity: 1 }],
      },
    ],
    history: new Map([
      [
        "o1",
        [
          h("order", "created", 0),
          h("reserve-stock", "done", 5),
          h("charge-payment", "done", 9),
          h("saga", "confirmed", 10),
        ],
      ],
      [
        "o2",
        [
          h("order", "created", 0),
          h("saga", "taken-over", 5_000, "by replica-b"),
          h("reserve-stock", "done", 5_010),
          h("charge-payment", "failed", 7_010),
          h("refund-payment", "done", 7_020),
          h("release-stock", "done", 7_030),
          h("saga", "failed", 7_040),
        ],
      ],
      [
        "o3",
        [
          h("order", "created", 0),
          h("reserve-stock", "done", 3),
          h("charge-payment", "refused", 4),
          h("release-stock", "done", 5),
          h("saga", "failed", 6),
        ],
      ],
    ]),
    deadLetters: [{ id: "d1", orderId: "o2", step: "release-stock", status: "resolved", error: "UNAVAILABLE" }],
    products: [
      { sku: "apple", stock: 100 - 2 + 50 },
      { sku: "pear", stock: 10 - 1 },
    ],
    reservations: [
      { orderId: "o1", status: "reserved", lines: [{ sku: "apple", quantity: 2 }] },
      { orderId: "o2", status: "released", lines: [{ sku: "pear", quantity: 1 }] },
      { orderId: "o3", status: "released", lines: [{ sku: "apple", quantity: 1 }] },
      { orderId: "o4", status: "reserved", lines: [{ sku: "pear", quantity: 1 }] },
    ],
    charges: [
      { orderId: "o1", customerId: "ann", amountCents: 500, currency: "EUR", status: "charged" },
      { orderId: "o2", customerId: "ann", amountCents: 300, currency: "EUR", status: "refunded" },
      { orderId: "o3", customerId: "bob", amountCents: 250, currency: "EUR", status: "declined" },
      { orderId: "o4", customerId: "ann", amountCents: 300, currency: "EUR", status: "charged" },
    ],
    wallets: [
      {
        customerId: "ann",
        currency: "EUR",
        balanceCents: 10_000 - 800,
        creditedCents: 10_000,
        chargedCents: 1_100,
        refundedCents: 300,
      },
      {
        customerId: "ann",
        currency: "USD",
        balanceCents: 5_000,
        creditedCents: 5_000,
        chargedCents: 0,
        refundedCents: 0,
      },
    ],
  };
  const run: RunRecord = {
    initialStock: new Map([
      ["apple", 100],
      ["pear", 10],
    ]),
    restocks: [
      { sku: "apple", quantity: 50, certain: true, at: t0 },
      { sku: "pear", quantity: 7, certain: false, at: t0 }, // lost answer, did not take effect
    ],
    credits: new Map([
      [walletKey("ann", "EUR"), 10_000],
      [walletKey("ann", "USD"), 5_000],
    ]),
    crashes: [],
    answers: [
      answer(201, "o1"),
      answer(503, "o2", { code: "SERVICE_UNAVAILABLE", orderStatus: "FAILED" }),
      answer(402, "o3", { code: "PAYMENT_DECLINED" }),
      answer(0),
      answer(503),
    ],
  };
  return { ledgers, run };
}

const invariantsOf = (ledgers: Ledgers, run: RunRecord) =>
  checkInvariants(ledgers, run).violations.map((v) => v.invariant);

describe("the chaos audit", () => {
  it("finds nothing wrong with a consistent end state, explaining a lost restock answer by the stock", () => {
    const { ledgers, run } = consistent();
    const result = checkInvariants(ledgers, run);
    expect(result.violations).toEqual([]);
    expect(result.notes).toEqual({
      uncertainRestocks: 1,
      uncertainRestocksApplied: 0,
      expectedStock: new Map([
        ["apple", 150],
        ["pear", 10],
      ]),
    });
    const applied = { ...ledgers, products: [ledgers.products[0]!, { sku: "pear", stock: 9 + 7 }] };
    expect(checkInvariants(applied, run)).toEqual({
      violations: [],
      notes: {
        uncertainRestocks: 1,
        uncertainRestocksApplied: 1,
        expectedStock: new Map([
          ["apple", 150],
          ["pear", 17],
        ]),
      },
    });
  });

  it("flags a PENDING order, and a 201 for an order that did not stay confirmed", () => {
    const { ledgers, run } = consistent();
    const orders = ledgers.orders.map((o) => (o.id === "o1" ? { ...o, status: "PENDING" } : o));
    expect(invariantsOf({ ...ledgers, orders }, run)).toEqual(
      expect.arrayContaining(["no-pending", "answers-match-orders"]),
    );
  });

  it("flags stock that does not add up, and a FAILED order still holding its reservation", () => {
    const { ledgers, run } = consistent();
    const reservations = ledgers.reservations.map((r) => (r.orderId === "o3" ? { ...r, status: "reserved" } : r));
    const products = [{ sku: "apple", stock: 147 }, ledgers.products[1]!]; // the failed order's unit never came back
    const found = checkInvariants({ ...ledgers, reservations, products }, run).violations;
    expect(found.map((v) => v.invariant).sort()).toEqual(["reservations-match-orders", "stock-conserved"]);
    expect(found.find((v) => v.invariant === "stock-conserved")?.message).toMatch(
      /sku apple: initial 100 \+ restocked 50 ≠ on hand 147 \+ sold 2 \(off by -1\)/,
    );
  });

  it("flags a FAILED order that kept its charge, and money that does not add up", () => {
    const { ledgers, run } = consistent();
    const charges = ledgers.charges.map((c) => (c.orderId === "o2" ? { ...c, status: "charged" } : c));
    const wallets = [{ ...ledgers.wallets[0]!, balanceCents: 10_000 - 1_100, refundedCents: 0 }, ledgers.wallets[1]!];
    const found = checkInvariants({ ...ledgers, charges, wallets }, run).violations;
    expect(found.map((v) => v.invariant)).toEqual(["money-conserved", "charges-match-orders"]);
    expect(found[0]?.message).toBe("wallet ann EUR: credits 10000 ≠ balance 8900 + confirmed orders 800 (off by 300)");
  });

  it("keeps each currency's money apart: an EUR order paid from the USD balance is flagged", () => {
    const { ledgers, run } = consistent();
    // Overall the sums still add up (15,000 credited = 14,200 held + 800 of orders); per currency they do not.
    const charges = ledgers.charges.map((c) => (c.orderId === "o1" ? { ...c, currency: "USD" } : c));
    const wallets = [
      { ...ledgers.wallets[0]!, balanceCents: 10_000 - 300, chargedCents: 600 },
      { ...ledgers.wallets[1]!, balanceCents: 5_000 - 500, chargedCents: 500 },
    ];
    const found = checkInvariants({ ...ledgers, charges, wallets }, run).violations;
    expect(found.map((v) => v.invariant)).toEqual(["money-conserved", "money-conserved", "charges-match-orders"]);
    expect(found.map((v) => v.message)).toEqual([
      "wallet ann EUR: credits 10000 ≠ balance 9700 + confirmed orders 800 (off by -500)",
      "wallet ann USD: credits 5000 ≠ balance 4500 + confirmed orders 0 (off by 500)",
      "CONFIRMED order o1 of ann (total 500 EUR) charged 500 USD to ann",
    ]);
  });

  it("accepts a CONFIRMED order of total 0 without a charge (free items), and flags one charged anyway", () => {
    const { ledgers, run } = consistent();
    const free = {
      id: "o5",
      customerId: "ann",
      status: "CONFIRMED",
      totalCents: 0,
      currency: "EUR",
      riderId: null,
      lines: [{ sku: "pear", quantity: 1 }],
    };
    const products = [ledgers.products[0]!, { sku: "pear", stock: 10 - 2 }];
    const reservations = [
      ...ledgers.reservations,
      { orderId: "o5", status: "reserved", lines: [{ sku: "pear", quantity: 1 }] },
    ];
    const withFree = { ...ledgers, orders: [...ledgers.orders, free], products, reservations };
    expect(invariantsOf(withFree, run)).toEqual([]);
    const charged = {
      ...withFree,
      charges: [
        ...ledgers.charges,
        { orderId: "o5", customerId: "ann", amountCents: 1, currency: "EUR", status: "charged" },
      ],
    };
    expect(invariantsOf(charged, run)).toContain("charges-match-orders");
  });

  it("accepts a credit whose answer was lost in the ledger or not, and nothing else", () => {
    const { ledgers, run } = consistent();
    const lost = { ...run, uncertainCredits: new Map([[walletKey("cid", "EUR"), 700]]) };
    const withIt = [
      ...ledgers.wallets,
      { customerId: "cid", currency: "EUR", balanceCents: 700, creditedCents: 700, chargedCents: 0, refundedCents: 0 },
    ];
    expect(invariantsOf(ledgers, lost)).toEqual([]);
    expect(invariantsOf({ ...ledgers, wallets: withIt }, lost)).toEqual([]);
    const doubled = [
      ...ledgers.wallets,
      {
        customerId: "cid",
        currency: "EUR",
        balanceCents: 1_400,
        creditedCents: 1_400,
        chargedCents: 0,
        refundedCents: 0,
      },
    ];
    expect(invariantsOf({ ...ledgers, wallets: doubled }, lost)).toEqual(["money-conserved"]);
  });

  it("flags a rider with two active orders", () => {
    const { ledgers, run } = consistent();
    const orders = ledgers.orders.map((o) => (o.id === "o4" ? { ...o, status: "CONFIRMED" } : o));
    expect(invariantsOf({ ...ledgers, orders }, run)).toEqual(["rider-one-active-order"]);
  });

  it("flags a 500, a request that hung, an open dead letter, a 402 for an order that was confirmed, and a crash", () => {
    const { ledgers, run } = consistent();
    const answers = [
      ...run.answers,
      answer(500, undefined, { kind: "deliver", path: "POST /v1/orders/o1/delivered" }),
      answer(0, undefined, { hung: true }),
      answer(402, "o1"),
    ];
    const deadLetters = [{ ...ledgers.deadLetters[0]!, status: "open" }];
    const crashes = [{ label: "payment", at: t0, code: 1 }];
    expect(invariantsOf({ ...ledgers, deadLetters }, { ...run, answers, crashes }).sort()).toEqual([
      "answers-match-orders",
      "dead-letters-resolved",
      "no-500",
      "no-crash",
      "no-hang",
    ]);
  });

  it("flags a saga decided twice, or written by a driver after another took it over", () => {
    const { ledgers, run } = consistent();
    const twice = [
      h("order", "created", 0),
      h("saga", "confirmed", 10),
      h("saga", "taken-over", 20, "by b"),
      h("saga", "failed", 30),
    ];
    expect(sagaDriverProblem(twice)).toBe("decided 2 times (saga:confirmed, saga:failed)");
    // The first driver's failure, made after the takeover began but written before the new driver's first write.
    const lateWrite = [
      h("order", "created", 0),
      h("charge-payment", "failed", 6_000),
      h("saga", "taken-over", 5_000, "by b"),
      h("saga", "confirmed", 6_500),
    ];
    expect(sagaDriverProblem(lateWrite)).toMatch(
      /^charge-payment:failed made at .*after the saga was taken over \(by b\)/,
    );
    // The first driver's entry, made before the takeover, written after the new driver's.
    const staleWrite = [
      h("order", "created", 0),
      h("saga", "taken-over", 5_000, "by b"),
      h("reserve-stock", "done", 5_100),
      h("refund-payment", "done", 4_000),
    ];
    expect(sagaDriverProblem(staleWrite)).toMatch(/^refund-payment:done made at .*before the saga was taken over/);
    // Dead-letter redrives and rider steps are not the saga's driver.
    const redrive = [
      h("order", "created", 0),
      h("release-stock", "done", 9_000, "dead letter resolved by redrive"),
      h("saga", "taken-over", 5_000, "by b"),
      h("saga", "failed", 5_100),
    ];
    expect(sagaDriverProblem(redrive)).toBeNull();
    const history = new Map(ledgers.history).set("o1", lateWrite);
    const found = checkInvariants({ ...ledgers, history }, run).violations;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ invariant: "one-saga-driver", orderId: "o1" });
  });

  it("explains lost restock answers only by sums of them", () => {
    expect(subsetSumming([], 0)).toBe(0);
    expect(subsetSumming([500, 700, 700], 1_200)).toBe(2);
    expect(subsetSumming([500, 700], 600)).toBeNull();
  });

  it("groups violations by invariant with a few examples", () => {
    const v = { invariant: "no-pending" as const, message: "x" };
    const s = summarize([v, v, v], 2);
    expect(s["no-pending"]).toEqual({ count: 3, examples: [v, v] });
    expect(s["no-500"].count).toBe(0);
  });
});
