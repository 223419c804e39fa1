/**
 * The invariants a chaos run must end with, checked on plain data: what the services' databases
 * hold (the ledgers, read per schema) and what the runner did and saw (its record). Pure, so the
 * same checks serve the Postgres and the embedded mode and are unit-tested on hand-built data.
 */

export interface AuditLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface AuditOrder {
  readonly id: string;
  readonly customerId: string;
  readonly status: string;
  readonly totalCents: number;
  /** The currency of its prices and total ('' until stock was reserved). */
  readonly currency: string;
  readonly riderId: string | null;
  readonly lines: readonly AuditLine[];
}

export interface HistoryRow {
  readonly step: string;
  readonly outcome: string;
  readonly detail: string;
  /** When the writer made the entry (ms since the epoch). */
  readonly atMs: number;
}

/** What the services' databases hold after the run. */
export interface Ledgers {
  readonly orders: readonly AuditOrder[];
  /** Each order's history in the order it was written (by id). */
  readonly history: ReadonlyMap<string, readonly HistoryRow[]>;
  readonly deadLetters: readonly { id: string; orderId: string; step: string; status: string; error: string }[];
  readonly products: readonly { sku: string; stock: number }[];
  readonly reservations: readonly { orderId: string; status: string; lines: readonly AuditLine[] }[];
  /** `currency` is null only for a voided tombstone, as `customerId`. */
  readonly charges: readonly {
    orderId: string;
    customerId: string | null;
    amountCents: number;
    currency: string | null;
    status: string;
  }[];
  /** Per balance (a wallet holds one per currency): the balance and the sums of its ledger entries by kind. */
  readonly wallets: readonly AuditWallet[];
}

export interface AuditWallet {
  readonly customerId: string;
  readonly currency: string;
  readonly balanceCents: number;
  readonly creditedCents: number;
  readonly chargedCents: number;
  readonly refundedCents: number;
}

/** How the audit names one balance of a wallet (customer ids hold no spaces). */
export const walletKey = (customerId: string, currency: string): string => `${customerId} ${currency}`;

export type RequestKind = "order" | "restock" | "location" | "deliver" | "lookup";

/** One answer the runner got (or did not get: status 0 is a network error, `hung` a request past its deadline). */
export interface RecordedAnswer {
  readonly kind: RequestKind;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number;
  readonly hung: boolean;
  readonly code?: string;
  /** The order the answer names (its body, or the problem's `order`). */
  readonly orderId?: string;
  /** That order's status in the answer. */
  readonly orderStatus?: string;
  readonly path: string;
}

export interface Restock {
  readonly sku: string;
  readonly quantity: number;
  /** False when the answer was lost (network error, 5xx, deadline): it may or may not have taken effect. */
  readonly certain: boolean;
  readonly at: number;
}

/** What the runner did and saw. */
export interface RunRecord {
  readonly initialStock: ReadonlyMap<string, number>;
  readonly restocks: readonly Restock[];
  /** What the runner credited each balance, by `walletKey` (all before any fault). */
  readonly credits: ReadonlyMap<string, number>;
  /** Credits whose answer was lost while seeding, by `walletKey`: the ledger may hold them or not. */
  readonly uncertainCredits?: ReadonlyMap<string, number>;
  readonly answers: readonly RecordedAnswer[];
  /** Service processes that exited without being told to (the runner restarted them). */
  readonly crashes: readonly { label: string; at: number; code: number | null }[];
}

export const INVARIANTS = [
  "no-pending",
  "stock-conserved",
  "reservations-match-orders",
  "money-conserved",
  "charges-match-orders",
  "answers-match-orders",
  "rider-one-active-order",
  "one-saga-driver",
  "dead-letters-resolved",
  "no-500",
  "no-hang",
  "no-crash",
  "rest-matches-sql",
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: Invariant;
  readonly message: string;
  readonly orderId?: string;
  /** When what it is about happened (ms since the epoch), if it happened at a time: a request, a crash. */
  readonly from?: number;
  readonly until?: number;
}

export interface AuditNotes {
  /** Restocks whose answer was lost, and how many of them the stock shows took effect. */
  readonly uncertainRestocks: number;
  readonly uncertainRestocksApplied: number;
  /** Per sku: initial + restocks that took effect (those with lost answers counted when the stock explains them). */
  readonly expectedStock: ReadonlyMap<string, number>;
}

const FINAL_OK = new Set(["CONFIRMED", "DELIVERED"]);
const sum = (xs: Iterable<number>) => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
};
const linesKey = (lines: readonly AuditLine[]) =>
  [...lines]
    .map((l) => `${l.sku}×${l.quantity}`)
    .sort()
    .join(",");

/** Checks every invariant; returns each violation found (empty: the run is consistent). */
export function checkInvariants(ledgers: Ledgers, run: RunRecord): { violations: Violation[]; notes: AuditNotes } {
  const violations: Violation[] = [];
  const flag = (invariant: Invariant, message: string, orderId?: string) =>
    violations.push({ invariant, message, ...(orderId ? { orderId } : {}) });
  const orders = new Map(ledgers.orders.map((o) => [o.id, o]));

  for (const o of ledgers.orders)
    if (o.status === "PENDING") flag("no-pending", `order ${o.id} is still PENDING`, o.id);

  const notes = checkStock(ledgers, run, flag);
  checkReservations(ledgers, orders, flag);
  checkMoney(ledgers, run, flag);
  checkCharges(ledgers, orders, flag);
  checkAnswers(run.answers, orders, flag);

  const activeByRider = new Map<string, string[]>();
  for (const o of ledgers.orders) {
    if (o.status === "CONFIRMED" && o.riderId)
      activeByRider.set(o.riderId, [...(activeByRider.get(o.riderId) ?? []), o.id]);
  }
  for (const [rider, ids] of activeByRider) {
    if (ids.length > 1)
      flag("rider-one-active-order", `rider ${rider} holds ${ids.length} CONFIRMED orders: ${ids.join(", ")}`, ids[0]);
  }

  for (const [orderId, history] of ledgers.history) {
    const problem = sagaDriverProblem(history);
    if (problem) flag("one-saga-driver", `order ${orderId}: ${problem}`, orderId);
  }

  for (const d of ledgers.deadLetters) {
    if (d.status !== "resolved")
      flag(
        "dead-letters-resolved",
        `dead letter ${d.id} (${d.step} of order ${d.orderId}) is ${d.status}: ${d.error}`,
        d.orderId,
      );
  }
  const when = (from: number, until: number) => ({ from, until });
  for (const a of run.answers) {
    const sent = new Date(a.startedAt).toISOString();
    if (a.status >= 500 && a.status !== 503)
      violations.push({
        invariant: "no-500",
        message: `${a.path} sent at ${sent} answered ${a.status}${a.code ? ` ${a.code}` : ""}`,
        ...(a.orderId ? { orderId: a.orderId } : {}),
        ...when(a.startedAt, a.endedAt),
      });
    if (a.hung)
      violations.push({
        invariant: "no-hang",
        message: `${a.path} sent at ${sent} had no answer within its deadline (${a.endedAt - a.startedAt} ms)`,
        ...when(a.startedAt, a.endedAt),
      });
  }
  for (const c of run.crashes)
    violations.push({
      invariant: "no-crash",
      message: `${c.label} exited by itself (code ${c.code}) at ${new Date(c.at).toISOString()}`,
      ...when(c.at, c.at),
    });
  return { violations, notes };
}

type Flag = (invariant: Invariant, message: string, orderId?: string) => void;

/**
 * Per sku: initial + restocks = on hand + units of CONFIRMED and DELIVERED orders. A restock whose
 * answer was lost may or may not have been applied: the difference must be the sum of some of them.
 */
function checkStock(ledgers: Ledgers, run: RunRecord, flag: Flag): AuditNotes {
  const sold = new Map<string, number>();
  for (const o of ledgers.orders) {
    if (!FINAL_OK.has(o.status)) continue;
    for (const l of o.lines) sold.set(l.sku, (sold.get(l.sku) ?? 0) + l.quantity);
  }
  const onHand = new Map(ledgers.products.map((p) => [p.sku, p.stock]));
  let uncertain = 0;
  let applied = 0;
  const expectedStock = new Map<string, number>();
  for (const [sku, initial] of run.initialStock) {
    const restocks = run.restocks.filter((r) => r.sku === sku);
    const certain = sum(restocks.filter((r) => r.certain).map((r) => r.quantity));
    const maybe = restocks.filter((r) => !r.certain).map((r) => r.quantity);
    uncertain += maybe.length;
    const stock = onHand.get(sku);
    if (stock === undefined) {
      flag("stock-conserved", `sku ${sku} is missing from the catalog`);
      expectedStock.set(sku, initial + certain);
      continue;
    }
    const unexplained = stock + (sold.get(sku) ?? 0) - initial - certain;
    const subset = subsetSumming(maybe, unexplained);
    expectedStock.set(sku, initial + certain + (subset === null ? 0 : unexplained));
    if (subset === null) {
      const detail = maybe.length > 0 ? ` (restocks with lost answers: ${maybe.join(", ")})` : "";
      flag(
        "stock-conserved",
        `sku ${sku}: initial ${initial} + restocked ${certain} ≠ on hand ${stock} + sold ${sold.get(sku) ?? 0} (off by ${unexplained})${detail}`,
      );
    } else {
      applied += subset;
    }
  }
  return { uncertainRestocks: uncertain, uncertainRestocksApplied: applied, expectedStock };
}

/** How many of `quantities` sum to `target` (some subset does), or null when none does. */
export function subsetSumming(quantities: readonly number[], target: number): number | null {
  // reachable sum → fewest items reaching it
  let reachable = new Map<number, number>([[0, 0]]);
  for (const q of quantities) {
    const next = new Map(reachable);
    for (const [s, n] of reachable) if (!next.has(s + q) || next.get(s + q)! > n + 1) next.set(s + q, n + 1);
    reachable = next;
  }
  return reachable.get(target) ?? null;
}

/** A FAILED order holds no reservation; a CONFIRMED or DELIVERED one holds exactly its lines. */
function checkReservations(ledgers: Ledgers, orders: ReadonlyMap<string, AuditOrder>, flag: Flag): void {
  const byOrder = new Map(ledgers.reservations.map((r) => [r.orderId, r]));
  for (const r of ledgers.reservations) {
    const order = orders.get(r.orderId);
    if (!order && r.status === "reserved")
      flag("reservations-match-orders", `reservation of unknown order ${r.orderId} holds ${linesKey(r.lines)}`);
    if (order?.status === "FAILED" && r.status === "reserved") {
      flag(
        "reservations-match-orders",
        `FAILED order ${order.id} still holds its reservation (${linesKey(r.lines)})`,
        order.id,
      );
    }
  }
  for (const o of ledgers.orders) {
    if (!FINAL_OK.has(o.status)) continue;
    const r = byOrder.get(o.id);
    if (!r || r.status !== "reserved")
      flag(
        "reservations-match-orders",
        `${o.status} order ${o.id} holds no reservation (${r ? r.status : "none"})`,
        o.id,
      );
    else if (linesKey(r.lines) !== linesKey(o.lines))
      flag(
        "reservations-match-orders",
        `${o.status} order ${o.id} reserved ${linesKey(r.lines)} for lines ${linesKey(o.lines)}`,
        o.id,
      );
  }
}

/**
 * Per balance (customer and currency; money never moves between currencies): the ledger's credits
 * are what the runner credited, and credits = balance + totals of the customer's CONFIRMED and
 * DELIVERED orders in that currency = balance + charges − refunds.
 */
function checkMoney(ledgers: Ledgers, run: RunRecord, flag: Flag): void {
  const spent = new Map<string, number>();
  for (const o of ledgers.orders) {
    if (!FINAL_OK.has(o.status)) continue;
    const key = walletKey(o.customerId, o.currency);
    spent.set(key, (spent.get(key) ?? 0) + o.totalCents);
  }
  const wallets = new Map(ledgers.wallets.map((w) => [walletKey(w.customerId, w.currency), w]));
  const keys = new Set([...run.credits.keys(), ...wallets.keys(), ...spent.keys()]);
  for (const key of keys) {
    const w = wallets.get(key) ?? { balanceCents: 0, creditedCents: 0, chargedCents: 0, refundedCents: 0 };
    const credited = run.credits.get(key) ?? 0;
    const confirmed = spent.get(key) ?? 0;
    const maybe = run.uncertainCredits?.get(key);
    if (w.creditedCents !== credited && w.creditedCents !== maybe)
      flag(
        "money-conserved",
        `wallet ${key}: the ledger holds credits of ${w.creditedCents}, the runner credited ${credited}`,
      );
    if (w.creditedCents !== w.balanceCents + confirmed) {
      flag(
        "money-conserved",
        `wallet ${key}: credits ${w.creditedCents} ≠ balance ${w.balanceCents} + confirmed orders ${confirmed} (off by ${w.creditedCents - w.balanceCents - confirmed})`,
      );
    }
    if (w.creditedCents - w.chargedCents + w.refundedCents !== w.balanceCents) {
      flag(
        "money-conserved",
        `wallet ${key}: ledger entries (credits ${w.creditedCents} − charges ${w.chargedCents} + refunds ${w.refundedCents}) ≠ balance ${w.balanceCents}`,
      );
    }
  }
}

/** A FAILED order keeps no charge; a CONFIRMED or DELIVERED one is charged exactly its total (none when it is 0). */
function checkCharges(ledgers: Ledgers, orders: ReadonlyMap<string, AuditOrder>, flag: Flag): void {
  const byOrder = new Map(ledgers.charges.map((c) => [c.orderId, c]));
  for (const c of ledgers.charges) {
    const order = orders.get(c.orderId);
    if (c.status !== "charged") continue;
    if (!order) flag("charges-match-orders", `charge of ${c.amountCents} for unknown order ${c.orderId} is kept`);
    else if (order.status === "FAILED")
      flag("charges-match-orders", `FAILED order ${order.id} keeps its charge of ${c.amountCents}`, order.id);
  }
  for (const o of ledgers.orders) {
    if (!FINAL_OK.has(o.status)) continue;
    const c = byOrder.get(o.id);
    // An order of free items (total 0) is confirmed without a charge: the saga never calls Payment.
    if (o.totalCents === 0 && !c) continue;
    if (!c || c.status !== "charged")
      flag("charges-match-orders", `${o.status} order ${o.id} is not charged (${c ? c.status : "no charge"})`, o.id);
    else if (c.amountCents !== o.totalCents || c.customerId !== o.customerId || c.currency !== o.currency) {
      flag(
        "charges-match-orders",
        `${o.status} order ${o.id} of ${o.customerId} (total ${o.totalCents} ${o.currency}) charged ${c.amountCents} ${c.currency ?? "(none)"} to ${c.customerId}`,
        o.id,
      );
    }
  }
}

/** What an answer promised about its order must hold at the end: 201 → CONFIRMED/DELIVERED, 402/409 → FAILED. */
function checkAnswers(answers: readonly RecordedAnswer[], orders: ReadonlyMap<string, AuditOrder>, flag: Flag): void {
  for (const a of answers) {
    if (a.kind !== "order" || !a.orderId) continue;
    const order = orders.get(a.orderId);
    if (!order) {
      flag("answers-match-orders", `${a.status} named order ${a.orderId}, which does not exist`, a.orderId);
      continue;
    }
    const promised =
      a.status === 201
        ? "CONFIRMED"
        : a.status === 402 || a.status === 409 || a.orderStatus === "FAILED"
          ? "FAILED"
          : null;
    if (promised === "CONFIRMED" && !FINAL_OK.has(order.status))
      flag("answers-match-orders", `answered 201 for order ${order.id}, which ended ${order.status}`, order.id);
    if (promised === "FAILED" && order.status !== "FAILED") {
      flag(
        "answers-match-orders",
        `answered ${a.status} ${a.code ?? ""} (FAILED) for order ${order.id}, which ended ${order.status}`,
        order.id,
      );
    }
  }
}

const SAGA_STEPS = new Set(["reserve-stock", "charge-payment", "release-stock", "refund-payment", "saga"]);
const DECISIONS = new Set(["saga:confirmed", "saga:failed"]);

/**
 * Signs in an order's history that two drivers ran its saga at once (null when there are none):
 * - it was decided more than once (more than one `saga:confirmed` / `saga:failed` entry);
 * - around a `saga:taken-over` entry (a new driver's first entry, made when it began), a saga entry
 *   recorded after it but made before it, or recorded before it but made after it: the earlier
 *   driver was still writing once the new one had begun. (Rider steps and dead-letter redrives run
 *   outside the saga and are not counted.)
 */
export function sagaDriverProblem(history: readonly HistoryRow[]): string | null {
  const decisions = history.filter((h) => DECISIONS.has(`${h.step}:${h.outcome}`));
  if (decisions.length > 1)
    return `decided ${decisions.length} times (${decisions.map((h) => `${h.step}:${h.outcome}`).join(", ")})`;
  const sagaEntry = (h: HistoryRow) => SAGA_STEPS.has(h.step) && !h.detail.startsWith("dead letter resolved");
  for (const [p, marker] of history.entries()) {
    if (marker.step !== "saga" || marker.outcome !== "taken-over") continue;
    const at = new Date(marker.atMs).toISOString();
    for (const [q, h] of history.entries()) {
      if (q === p || !sagaEntry(h)) continue;
      if (q < p && h.atMs > marker.atMs)
        return `${h.step}:${h.outcome} made at ${new Date(h.atMs).toISOString()}, after the saga was taken over (${marker.detail}) at ${at}, but written before that`;
      if (q > p && h.atMs < marker.atMs)
        return `${h.step}:${h.outcome} made at ${new Date(h.atMs).toISOString()}, before the saga was taken over (${marker.detail}) at ${at}, but written after that`;
    }
  }
  return null;
}

/** Violations grouped by invariant, with up to `examples` of each. */
export function summarize(
  violations: readonly Violation[],
  examples = 5,
): Record<Invariant, { count: number; examples: Violation[] }> {
  const out = Object.fromEntries(INVARIANTS.map((i) => [i, { count: 0, examples: [] as Violation[] }])) as Record<
    Invariant,
    { count: number; examples: Violation[] }
  >;
  for (const v of violations) {
    const entry = out[v.invariant];
    entry.count++;
    if (entry.examples.length < examples) entry.examples.push(v);
  }
  return out;
}
