import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createDatabase, migrate, type Database } from "@qc/platform/db";
import { createTestStore, databaseKinds, type TestStore } from "@qc/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaseLostError, type NewOrder } from "../src/app/order.repository.port";
import { PostgresDeadLetterRepository } from "../src/adapters/postgres/dead-letter.repository";
import { PostgresOrderRepository } from "../src/adapters/postgres/order.repository";
import type { OrderDatabase } from "../src/adapters/postgres/order.tables";

// One contract, both adapters: every test below runs on a real Postgres server and on the embedded
// PGlite database (`npm start` without DATABASE_URL), through the same repositories and migrations.
let store: TestStore;
let database: Database<OrderDatabase>;
let repo: PostgresOrderRepository;
let deadLetters: PostgresDeadLetterRepository;

const newOrder = (o: Partial<NewOrder> = {}): NewOrder => ({
  id: randomUUID(),
  customerId: "alice",
  lines: [
    { sku: "apple", quantity: 2, priceCents: 0 },
    { sku: "pear", quantity: 1, priceCents: 0 },
  ],
  deliveryLocation: { lat: 52.5, lon: 13.4 },
  idempotencyKey: null,
  requestHash: "h",
  leaseOwner: "a",
  leaseMs: 30_000,
  ...o,
});

const at = () => new Date();

describe.each(databaseKinds)("on %s", (kind) => {
  beforeAll(async () => {
    store = await createTestStore(kind, "order");
    database = createDatabase<OrderDatabase>({ ...store.options, schema: "orders", poolSize: 8 });
    await migrate(database.db, "orders", fileURLToPath(new URL("../migrations", import.meta.url)));
    repo = new PostgresOrderRepository(database.db);
    deadLetters = new PostgresDeadLetterRepository(database.db);
  });

  afterAll(async () => {
    await database?.close();
    await store?.drop();
  });

  describe("PostgresOrderRepository", () => {
    it("stores an order PENDING with its lines and a history, and records the saga's progress", async () => {
      const o = newOrder();
      const created = await repo.create(o);
      // It answers the order exactly as stored: the database's timestamps, not the caller's clock.
      expect(created).toMatchObject({
        id: o.id,
        status: "PENDING",
        lines: [
          { sku: "apple", quantity: 2, priceCents: 0 },
          { sku: "pear", quantity: 1, priceCents: 0 },
        ],
      });
      expect(created).toEqual(await repo.get(o.id));
      const reservation = {
        lines: [
          { sku: "apple", quantity: 2, priceCents: 150 },
          { sku: "pear", quantity: 1, priceCents: 99 },
        ],
        totalCents: 399,
        currency: "EUR",
      };
      const finishedAt = await repo.finish(o.id, "a", "CONFIRMED", null, reservation, [
        { step: "reserve-stock", outcome: "done", code: "STOCK_RESERVED", detail: "", at: at() },
        { step: "saga", outcome: "confirmed", code: "ORDER_CONFIRMED", detail: "", at: at() },
      ]);
      const stored = await repo.get(o.id);
      expect(finishedAt).toEqual(stored?.updatedAt); // the saga answers it without reading the order back
      expect(stored).toMatchObject({
        status: "CONFIRMED",
        totalCents: 399,
        currency: "EUR",
        deliveryLocation: { lat: 52.5, lon: 13.4 },
        lines: [
          { sku: "apple", quantity: 2, priceCents: 150 },
          { sku: "pear", quantity: 1, priceCents: 99 },
        ],
      });
      expect(stored?.history.map((h) => `${h.step}:${h.code}`)).toEqual([
        "order:ORDER_CREATED",
        "reserve-stock:STOCK_RESERVED",
        "saga:ORDER_CONFIRMED",
      ]);
    });

    it("answers null for an unknown or malformed id", async () => {
      expect(await repo.get(randomUUID())).toBeNull();
      expect(await repo.get("not-a-uuid")).toBeNull();
    });

    it("reads many orders at once exactly as get reads each: in the order asked, each once, unknown ids left out", async () => {
      const [confirmed, failed, pending] = [newOrder(), newOrder({ deliveryLocation: null }), newOrder()];
      for (const o of [confirmed, failed, pending]) await repo.create(o);
      await repo.finish(
        confirmed.id,
        "a",
        "CONFIRMED",
        null,
        { lines: [{ sku: "apple", quantity: 2, priceCents: 150 }], totalCents: 300, currency: "EUR" },
        [{ step: "saga", outcome: "confirmed", code: "ORDER_CONFIRMED", detail: "", at: at() }],
      );
      await repo.assignRider(confirmed.id, `batch-${randomUUID()}`, [
        { step: "assign-rider", outcome: "done", code: "RIDER_ASSIGNED", detail: "r", at: at() },
      ]);
      await repo.finish(failed.id, "a", "FAILED", "OUT_OF_STOCK", null, []);
      const asked = [pending.id, randomUUID(), confirmed.id, "not-a-uuid", failed.id, pending.id];
      const each = [await repo.get(pending.id), await repo.get(confirmed.id), await repo.get(failed.id)];
      expect(each.map((o) => o?.history.length)).toEqual([1, 3, 1]);
      expect(await repo.findMany(asked)).toEqual(each);
      expect(await repo.findMany([randomUUID(), "not-a-uuid"])).toEqual([]);
      expect(await repo.findMany([])).toEqual([]);
    });

    it("reads any number of orders, with their lines and history, in one statement", async () => {
      const made = Array.from({ length: 30 }, () => newOrder({ customerId: "batch-count" }));
      for (const o of made) await repo.create(o);
      const statements: string[] = [];
      const counted = new PostgresOrderRepository(
        database.db.withPlugin({
          transformQuery: ({ node }) => (statements.push(node.kind), node),
          transformResult: async ({ result }) => result,
        }),
      );
      expect(await counted.findMany([made[0]!.id])).toHaveLength(1);
      expect(statements).toHaveLength(1);
      const ids = made.map((o) => o.id).reverse();
      expect((await counted.findMany(ids)).map((o) => o.id)).toEqual(ids);
      expect(statements).toHaveLength(2);
    });

    it("lets exactly one of many concurrent creates with the same idempotency key through", async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => repo.create(newOrder({ customerId: "bob", idempotencyKey: "k-1" }))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await repo.findByIdempotencyKey("bob", "k-1")).toMatchObject({ requestHash: "h" });
      // The same key belongs to each customer separately.
      expect(await repo.create(newOrder({ customerId: "carol", idempotencyKey: "k-1" }))).not.toBeNull();
    });

    it("refuses saga writes from a replica that does not hold the lease", async () => {
      const o = newOrder();
      await repo.create(o);
      await expect(repo.finish(o.id, "b", "CONFIRMED", null, null, [])).rejects.toBeInstanceOf(LeaseLostError);
      await expect(repo.recordFailing(o.id, "b", "OUT_OF_STOCK", null, [])).rejects.toBeInstanceOf(LeaseLostError);
      expect((await repo.get(o.id))?.status).toBe("PENDING");
    });

    it("hands a stale saga to exactly one of two replicas claiming at once", async () => {
      const stale = Array.from({ length: 6 }, () => newOrder({ customerId: "stale", leaseMs: 1 }));
      for (const o of stale) await repo.create(o);
      await new Promise((r) => setTimeout(r, 20));
      const [a, b] = await Promise.all([
        repo.claimStale("replica-a", 30_000, 100),
        repo.claimStale("replica-b", 30_000, 100),
      ]);
      const staleIds = new Set(stale.map((o) => o.id));
      const claimed = [...a, ...b].filter((id) => staleIds.has(id));
      expect(claimed.sort()).toEqual([...staleIds].sort());
      // Once claimed, the old owner is fenced out and nobody else can claim it again.
      const first = stale[0]!;
      const winner = a.includes(first.id) ? "replica-a" : "replica-b";
      await expect(repo.finish(first.id, "a", "FAILED", "REJECTED", null, [])).rejects.toBeInstanceOf(LeaseLostError);
      await repo.finish(first.id, winner, "FAILED", "REJECTED", null, []);
      expect(await repo.claimStale("replica-c", 30_000, 100)).not.toContain(first.id);
    });

    it("records a decided failure, assigns one rider to a confirmed order once, and marks it delivered by that rider only", async () => {
      const failing = newOrder();
      await repo.create(failing);
      await repo.recordFailing(
        failing.id,
        "a",
        "PAYMENT_DECLINED",
        { lines: [{ sku: "apple", quantity: 2, priceCents: 150 }], totalCents: 300, currency: "EUR" },
        [{ step: "charge-payment", outcome: "declined", code: "PAYMENT_DECLINED", detail: "", at: at() }],
      );
      expect(await repo.get(failing.id)).toMatchObject({
        status: "PENDING",
        failureReason: "PAYMENT_DECLINED",
        totalCents: 300,
        sagaOwner: "a",
      });

      const o = newOrder({ customerId: "dispatch" });
      await repo.create(o);
      await repo.finish(o.id, "a", "CONFIRMED", null, null, []);
      expect((await repo.listAwaitingRider(1_000)).map((w) => w.id)).toContain(o.id);
      expect(await repo.markDelivered(o.id, "rider-1", [])).toBe(false); // no rider yet
      const assignment = await repo.assignRider(o.id, "rider-1", [
        { step: "assign-rider", outcome: "done", code: "RIDER_ASSIGNED", detail: "rider-1", at: at() },
      ]);
      expect(assignment).toEqual({ kind: "assigned", updatedAt: (await repo.get(o.id))?.updatedAt });
      expect(await repo.assignRider(o.id, "rider-2", [])).toEqual({ kind: "not-waiting" });
      expect((await repo.listAwaitingRider(1_000)).map((w) => w.id)).not.toContain(o.id);
      expect(await repo.markDelivered(o.id, "rider-2", [])).toBe(false);
      expect(
        await repo.markDelivered(o.id, "rider-1", [
          { step: "delivery", outcome: "done", code: "ORDER_DELIVERED", detail: "", at: at() },
        ]),
      ).toBe(true);
      const delivered = await repo.get(o.id);
      expect(delivered).toMatchObject({ status: "DELIVERED", riderId: "rider-1" });
      expect(delivered?.history.map((h) => h.step)).toEqual(["order", "assign-rider", "delivery"]);
      expect(await repo.markDelivered("not-a-uuid", "rider-1", [])).toBe(false);
    });

    it("gives a rider at most one active order: another is refused naming the active one, until it is delivered", async () => {
      const confirmedOrder = async () => {
        const o = newOrder({ customerId: "one-rider" });
        await repo.create(o);
        await repo.finish(o.id, "a", "CONFIRMED", null, null, []);
        return o.id;
      };
      const [a, b, c] = [await confirmedOrder(), await confirmedOrder(), await confirmedOrder()];
      const [carrier, other] = [`carrier-${randomUUID()}`, `other-${randomUUID()}`];
      const assigned = [{ step: "assign-rider", outcome: "done", code: "RIDER_ASSIGNED", detail: "", at: at() }];
      expect(await repo.assignRider(a, carrier, assigned)).toMatchObject({ kind: "assigned" });
      expect(await repo.assignRider(b, carrier, assigned)).toEqual({ kind: "rider-busy", activeOrderId: a });
      expect(await repo.get(b)).toMatchObject({ riderId: null, history: [{ step: "order" }] });
      expect((await repo.listAwaitingRider(1_000)).map((w) => w.id)).toContain(b);
      // Two orders racing for one rider: one gets them, the other is refused naming the winner.
      const raced = await Promise.all([repo.assignRider(b, other, assigned), repo.assignRider(c, other, assigned)]);
      const winner = raced[0]?.kind === "assigned" ? b : c;
      const loser = winner === b ? c : b;
      expect(raced.map((r) => r.kind).sort()).toEqual(["assigned", "rider-busy"]);
      expect(raced).toContainEqual({ kind: "rider-busy", activeOrderId: winner });
      expect((await repo.get(loser))?.riderId).toBeNull();
      // The rider's assignment is their one active order, with its delivery point.
      expect(await repo.activeForRider(carrier)).toMatchObject({
        id: a,
        riderId: carrier,
        status: "CONFIRMED",
        deliveryLocation: { lat: 52.5, lon: 13.4 },
      });
      expect(await repo.activeForRider(`nobody-${randomUUID()}`)).toBeNull();
      // Delivered, the order is no longer active: the rider takes the next one.
      expect(await repo.markDelivered(a, carrier, [])).toBe(true);
      expect(await repo.activeForRider(carrier)).toBeNull();
      expect(await repo.assignRider(loser, carrier, assigned)).toMatchObject({ kind: "assigned" });
    });

    it("pages a customer's orders newest first without gaps or repeats", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        const o = newOrder({ customerId: "pager" });
        ids.push(o.id);
        await repo.create(o);
      }
      const seen: { id: string; createdAt: Date }[] = [];
      let cursor: string | null = null;
      do {
        const page: { orders: { id: string; createdAt: Date }[]; nextCursor: string | null } = await repo.list(
          { customerId: "pager", status: null },
          10,
          cursor,
        );
        seen.push(...page.orders);
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen.map((o) => o.id))).toEqual(new Set(ids));
      expect(seen).toHaveLength(ids.length);
      // Newest first, ties broken by id. A server's clock ticks in microseconds, so there the order is
      // exactly the reverse of creation; PGlite's ticks in milliseconds, so orders created within one
      // millisecond tie and come by id.
      for (let i = 1; i < seen.length; i++) {
        const [newer, older] = [seen[i - 1]!, seen[i]!];
        const t = newer.createdAt.getTime() - older.createdAt.getTime();
        expect(t, `${i}`).toBeGreaterThanOrEqual(0);
        if (kind === "pglite" && t === 0) expect(newer.id > older.id, `${i}`).toBe(true);
      }
      if (kind === "postgres") expect(seen.map((o) => o.id)).toEqual([...ids].reverse());
    });

    it("lists every customer's orders, or one customer's, or one status's, with the same cursors", async () => {
      const tag = randomUUID().slice(0, 8);
      const [a, b] = [`a-${tag}`, `b-${tag}`];
      const made: { id: string; customerId: string }[] = [];
      for (const customerId of [a, b, a, b, a]) {
        const o = newOrder({ customerId });
        await repo.create(o);
        made.push(o);
      }
      const failed = made[1]!.id;
      await repo.finish(failed, "a", "FAILED", "OUT_OF_STOCK", null, []);
      const ours = new Set(made.map((o) => o.id));
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { orders: { id: string }[]; nextCursor: string | null } = await repo.list(
          { customerId: null, status: null },
          2,
          cursor,
        );
        all.push(...page.orders.map((o) => o.id).filter((id) => ours.has(id)));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(all)).toEqual(ours);
      expect(all).toHaveLength(ours.size);
      const ofB = await repo.list({ customerId: b, status: null }, 10, null);
      expect(new Set(ofB.orders.map((o) => o.id))).toEqual(new Set([made[1]!.id, made[3]!.id]));
      const failedOfB = await repo.list({ customerId: b, status: "FAILED" }, 10, null);
      expect(failedOfB.orders.map((o) => [o.id, o.status])).toEqual([[failed, "FAILED"]]);
      const pendingOfA = await repo.list({ customerId: a, status: "PENDING" }, 10, null);
      expect(pendingOfA.orders.map((o) => o.customerId)).toEqual([a, a, a]);
    });

    // A cursor is the client's to send back, so it is input: one whose time does not fit a bigint
    // reached Postgres and failed there as an internal error (a 500 at the gateway).
    it.each([
      ["a time beyond bigint", `99999999999999999999:${randomUUID()}`],
      ["a time of 2^63", `9223372036854775808:${randomUUID()}`],
      ["a negative time", `-1:${randomUUID()}`],
      ["no id", "1700000000000000:"],
      ["an id that is no uuid", "1700000000000000:abc"],
      ["a third part", `1700000000000000:${randomUUID()}:x`],
    ])("refuses a crafted page cursor with %s as INVALID_PAGE_TOKEN", async (_, decoded) => {
      const cursor = Buffer.from(decoded).toString("base64url");
      await expect(repo.list({ customerId: "pager", status: null }, 10, cursor)).rejects.toMatchObject({
        kind: "invalid",
        code: "INVALID_PAGE_TOKEN",
      });
    });
  });

  describe("PostgresDeadLetterRepository", () => {
    it("counts and lists open and resolved entries", async () => {
      const o = newOrder();
      await repo.create(o);
      const before = await deadLetters.countOpen();
      const id = randomUUID();
      await deadLetters.add({
        id,
        orderId: o.id,
        step: "release-rider",
        error: "down",
        attempts: 3,
        nextAttemptAt: new Date(Date.now() + 60_000),
      });
      expect(await deadLetters.countOpen()).toBe(before + 1);
      expect((await deadLetters.list("open", 500)).map((d) => d.id)).toContain(id);
      // Not due yet: the redrive does not take it; a replay (by id) does.
      expect(await deadLetters.withLocked(null, async (e) => ({ resolved: false, result: e.id }))).not.toBe(id);
      expect(await deadLetters.withLocked(id, async () => ({ resolved: true, result: "replayed" }))).toBe("replayed");
      expect(await deadLetters.countOpen()).toBe(before);
      expect(await deadLetters.get(id)).toMatchObject({ status: "resolved", attempts: 4 });
      expect((await deadLetters.list("resolved", 500)).map((d) => d.id)).toContain(id);
      expect(await deadLetters.get("not-a-uuid")).toBeNull();
    });

    it("keeps one entry per order and step, adding up attempts", async () => {
      const o = newOrder();
      await repo.create(o);
      const entry = {
        orderId: o.id,
        step: "release-stock",
        error: "down",
        attempts: 3,
        nextAttemptAt: new Date(Date.now() - 1000),
      };
      await deadLetters.add({ id: randomUUID(), ...entry });
      await deadLetters.add({ id: randomUUID(), ...entry, error: "still down" });
      const open = (await deadLetters.list("open", 100)).filter((d) => d.orderId === o.id);
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ attempts: 6, error: "still down" });
    });

    it("never runs one dead letter twice at once, and resolves it once", async () => {
      const o = newOrder();
      await repo.create(o);
      const id = randomUUID();
      await deadLetters.add({
        id,
        orderId: o.id,
        step: "refund-payment",
        error: "down",
        attempts: 3,
        nextAttemptAt: new Date(Date.now() - 1000),
      });
      let running = 0;
      let maxRunning = 0;
      let runs = 0;
      const work = async (e: { status: string }) => {
        if (e.status === "resolved") return { resolved: true, result: "already" };
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 50));
        running--;
        return { resolved: true, result: "ran" };
      };
      const results = await Promise.all([
        deadLetters.withLocked(id, work),
        deadLetters.withLocked(id, work),
        deadLetters.withLocked(id, work),
      ]);
      expect(maxRunning).toBe(1);
      expect(runs).toBe(1);
      expect(results.sort()).toEqual(["already", "already", "ran"]);
      expect((await deadLetters.get(id))?.status).toBe("resolved");
    });

    it("lets the work on a locked dead letter write through the order repository, as a replay does", async () => {
      const o = newOrder();
      await repo.create(o);
      const id = randomUUID();
      await deadLetters.add({
        id,
        orderId: o.id,
        step: "release-stock",
        error: "down",
        attempts: 3,
        nextAttemptAt: new Date(Date.now() - 1000),
      });
      const result = await deadLetters.withLocked(id, async () => {
        await repo.appendHistory(o.id, [
          {
            step: "release-stock",
            outcome: "done",
            code: "STOCK_RELEASED",
            detail: "dead letter resolved by replay",
            at: at(),
          },
        ]);
        return { resolved: true, result: "ran" };
      });
      expect(result).toBe("ran");
      expect((await repo.get(o.id))?.history.map((h) => `${h.step}:${h.outcome}`)).toContain("release-stock:done");
    });
  });
});
