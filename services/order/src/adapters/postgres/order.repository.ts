import { sql, type Kysely, type RawBuilder } from "kysely";
import { eventCode } from "../../domain/history";
import type { FailureReason, HistoryEntry, Order, OrderLine, OrderStatus } from "../../domain/order";
import { valueOrThrow } from "@qc/platform/errors";
import { decodePageCursor, encodePageCursor } from "../../domain/page-cursor";
import {
  LeaseLostError,
  type IdempotencyRecord,
  type NewHistory,
  type NewOrder,
  type OrderFilter,
  type OrderRepository,
  type Reservation,
  type RiderAssignment,
} from "../../app/order.repository.port";
import type { OrderDatabase } from "./order.tables";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNIQUE_VIOLATION = "23505";

interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  failure_reason: FailureReason | null;
  total_cents: number;
  currency: string;
  delivery_lat: number | null;
  delivery_lon: number | null;
  rider_id: string | null;
  lease_owner: string | null;
  created_at: Date;
  updated_at: Date;
  created_us: string;
  lines: OrderLine[];
  history: { step: string; outcome: string; code: string; detail: string; at: string }[];
}

// One round trip for an order with its lines and history.
const orderSelect = sql`
  SELECT o.id, o.customer_id, o.status, o.failure_reason, o.total_cents, o.currency, o.delivery_lat, o.delivery_lon,
         o.rider_id, o.lease_owner, o.created_at, o.updated_at, (extract(epoch FROM o.created_at) * 1000000)::bigint::text AS created_us,
         (SELECT coalesce(json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity, 'priceCents', l.price_cents) ORDER BY l.line_no), '[]')
            FROM order_lines l WHERE l.order_id = o.id) AS lines,
         (SELECT coalesce(json_agg(json_build_object('step', h.step, 'outcome', h.outcome, 'code', h.code, 'detail', h.detail, 'at', h.at) ORDER BY h.id), '[]')
            FROM order_history h WHERE h.order_id = o.id) AS history
    FROM orders o`;

function toOrder(r: OrderRow): Order {
  return {
    id: r.id,
    customerId: r.customer_id,
    status: r.status,
    lines: r.lines,
    totalCents: r.total_cents,
    currency: r.currency,
    failureReason: r.failure_reason,
    riderId: r.rider_id,
    deliveryLocation:
      r.delivery_lat === null || r.delivery_lon === null ? null : { lat: r.delivery_lat, lon: r.delivery_lon },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    history: r.history.map((h): HistoryEntry => ({ ...h, at: new Date(h.at) })),
    sagaOwner: r.lease_owner,
  };
}

/** History rows as parallel arrays, so any number of them is one INSERT ... SELECT FROM unnest. */
function historyArrays(history: readonly NewHistory[]) {
  return {
    steps: history.map((h) => h.step),
    outcomes: history.map((h) => h.outcome),
    codes: history.map((h) => h.code),
    details: history.map((h) => h.detail),
    ats: history.map((h) => h.at.toISOString()),
  };
}

const leaseInterval = (ms: number) => sql`make_interval(secs => ${ms / 1000})`;

export class PostgresOrderRepository implements OrderRepository {
  constructor(private readonly db: Kysely<OrderDatabase>) {}

  async create(o: NewOrder): Promise<Order | null> {
    // The order as written, from what each insert returns: the statement cannot read its own writes.
    const { rows } = await sql<OrderRow>`
      WITH o AS (
        INSERT INTO orders (id, customer_id, status, delivery_lat, delivery_lon, idempotency_key, request_hash, lease_owner, lease_until)
        VALUES (${o.id}, ${o.customerId}, 'PENDING', ${o.deliveryLocation?.lat ?? null}, ${o.deliveryLocation?.lon ?? null},
                ${o.idempotencyKey}, ${o.requestHash}, ${o.leaseOwner}, clock_timestamp() + ${leaseInterval(o.leaseMs)})
        ON CONFLICT (customer_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING *
      ), l AS (
        INSERT INTO order_lines (order_id, line_no, sku, quantity)
        SELECT o.id, t.n, t.sku, t.q FROM o, unnest(${o.lines.map((l) => l.sku)}::text[], ${o.lines.map((l) => l.quantity)}::bigint[])
          WITH ORDINALITY AS t(sku, q, n)
        RETURNING line_no, sku, quantity, price_cents
      ), h AS (
        INSERT INTO order_history (order_id, step, outcome, code) SELECT o.id, 'order', 'created', ${eventCode("order", "created")} FROM o
        RETURNING step, outcome, code, detail, at
      )
      SELECT o.id, o.customer_id, o.status, o.failure_reason, o.total_cents, o.currency, o.delivery_lat, o.delivery_lon,
             o.rider_id, o.lease_owner, o.created_at, o.updated_at, (extract(epoch FROM o.created_at) * 1000000)::bigint::text AS created_us,
             (SELECT coalesce(json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity, 'priceCents', l.price_cents) ORDER BY l.line_no), '[]') FROM l) AS lines,
             (SELECT coalesce(json_agg(json_build_object('step', h.step, 'outcome', h.outcome, 'code', h.code, 'detail', h.detail, 'at', h.at)), '[]') FROM h) AS history
        FROM o`.execute(this.db);
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async get(id: string): Promise<Order | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await sql<OrderRow>`${orderSelect} WHERE o.id = ${id}`.execute(this.db);
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async findMany(ids: readonly string[]): Promise<Order[]> {
    // The same one-statement read as get, for every id at once (lines and history included).
    const uuids = [...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
    if (uuids.length === 0) return [];
    const { rows } = await sql<OrderRow>`${orderSelect} WHERE o.id = ANY(${uuids}::uuid[])`.execute(this.db);
    // Stored ids are lowercase (a uuid's text form): placed in the order asked, each once.
    const byId = new Map(rows.map((r) => [r.id, toOrder(r)] as const));
    return uuids.flatMap((id) => byId.get(id) ?? []);
  }

  async findByIdempotencyKey(customerId: string, key: string): Promise<IdempotencyRecord | null> {
    const row = await this.db
      .selectFrom("orders")
      .select(["id", "request_hash"])
      .where("customer_id", "=", customerId)
      .where("idempotency_key", "=", key)
      .executeTakeFirst();
    return row ? { orderId: row.id, requestHash: row.request_hash ?? "" } : null;
  }

  async list(filter: OrderFilter, limit: number, cursor: string | null) {
    const after = cursor === null ? null : valueOrThrow(decodePageCursor(cursor));
    const { rows } = await sql<OrderRow>`${orderSelect}
      WHERE TRUE
        ${filter.customerId === null ? sql`` : sql`AND o.customer_id = ${filter.customerId}`}
        ${filter.status === null ? sql`` : sql`AND o.status = ${filter.status}`}
        ${after ? sql`AND ((extract(epoch FROM o.created_at) * 1000000)::bigint, o.id) < (${after.createdUs}::bigint, ${after.id}::uuid)` : sql``}
      ORDER BY o.created_at DESC, o.id DESC
      LIMIT ${limit + 1}`.execute(this.db);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      orders: page.map(toOrder),
      nextCursor: rows.length > limit && last ? encodePageCursor({ createdUs: last.created_us, id: last.id }) : null,
    };
  }

  async recordFailing(
    id: string,
    owner: string,
    reason: FailureReason,
    reservation: Reservation | null,
    history: readonly NewHistory[],
  ) {
    await this.fenced(id, owner, sql`failure_reason = ${reason}`, reservation, history);
  }

  async finish(
    id: string,
    owner: string,
    status: "CONFIRMED" | "FAILED",
    reason: FailureReason | null,
    reservation: Reservation | null,
    history: readonly NewHistory[],
  ): Promise<Date> {
    return this.fenced(
      id,
      owner,
      sql`status = ${status}, failure_reason = ${reason}, lease_owner = NULL, lease_until = NULL`,
      reservation,
      history,
    );
  }

  async appendHistory(id: string, history: readonly NewHistory[]) {
    const h = historyArrays(history);
    await sql`
      INSERT INTO order_history (order_id, step, outcome, code, detail, at)
      SELECT ${id}::uuid, t.step, t.outcome, t.code, t.detail, t.at
        FROM unnest(${h.steps}::text[], ${h.outcomes}::text[], ${h.codes}::text[], ${h.details}::text[], ${h.ats}::timestamptz[]) WITH ORDINALITY AS t(step, outcome, code, detail, at, n)
       ORDER BY t.n`.execute(this.db);
  }

  async assignRider(id: string, riderId: string, history: readonly NewHistory[]): Promise<RiderAssignment> {
    try {
      const updatedAt = await this.transition(
        sql`rider_id = ${riderId}`,
        sql`id = ${id} AND status = 'CONFIRMED' AND rider_id IS NULL`,
        history,
      );
      return updatedAt ? { kind: "assigned", updatedAt } : { kind: "not-waiting" };
    } catch (err) {
      // orders_one_active_per_rider: the rider carries another CONFIRMED order (committed first, if raced).
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    }
    const active = await this.db
      .selectFrom("orders")
      .select("id")
      .where("rider_id", "=", riderId)
      .where("status", "=", "CONFIRMED")
      .executeTakeFirst();
    // Delivered in the meantime: the order simply waits for the next pass.
    return active ? { kind: "rider-busy", activeOrderId: active.id } : { kind: "not-waiting" };
  }

  async markDelivered(id: string, riderId: string, history: readonly NewHistory[]): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const updatedAt = await this.transition(
      sql`status = 'DELIVERED'`,
      sql`id = ${id} AND status = 'CONFIRMED' AND rider_id = ${riderId}`,
      history,
    );
    return updatedAt !== null;
  }

  async activeForRider(riderId: string): Promise<Order | null> {
    // orders_one_active_per_rider (0003) indexes exactly these rows: one at most.
    const { rows } = await sql<OrderRow>`${orderSelect}
      WHERE o.rider_id = ${riderId} AND o.status = 'CONFIRMED' LIMIT 1`.execute(this.db);
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async listAwaitingRider(limit: number): Promise<Order[]> {
    const { rows } = await sql<OrderRow>`${orderSelect}
      WHERE o.status = 'CONFIRMED' AND o.rider_id IS NULL ORDER BY o.updated_at LIMIT ${limit}`.execute(this.db);
    return rows.map(toOrder);
  }

  /**
   * One statement: updates the order where `where` holds and appends the history only if it did;
   * the order's new update time, or null when `where` did not hold.
   */
  private async transition(
    set: RawBuilder<unknown>,
    where: RawBuilder<unknown>,
    history: readonly NewHistory[],
  ): Promise<Date | null> {
    const { rows } = await sql<{ updated_at: Date }>`
      WITH o AS (UPDATE orders SET ${set}, updated_at = clock_timestamp() WHERE ${where} RETURNING id, updated_at),
           h AS (${this.insertHistory(historyArrays(history))})
      SELECT updated_at FROM o`.execute(this.db);
    return rows[0]?.updated_at ?? null;
  }

  async claimStale(owner: string, leaseMs: number, limit: number): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      UPDATE orders SET lease_owner = ${owner}, lease_until = clock_timestamp() + ${leaseInterval(leaseMs)},
                        saga_attempts = saga_attempts + 1, updated_at = clock_timestamp()
       WHERE id IN (SELECT id FROM orders WHERE status = 'PENDING' AND lease_until < clock_timestamp()
                     ORDER BY lease_until LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id`.execute(this.db);
    return rows.map((r) => r.id);
  }

  /** The history insert of a fenced statement: rows are written only if the fenced update (o) matched. */
  private insertHistory(h: ReturnType<typeof historyArrays>) {
    return sql`
      INSERT INTO order_history (order_id, step, outcome, code, detail, at)
      SELECT o.id, t.step, t.outcome, t.code, t.detail, t.at
        FROM o, unnest(${h.steps}::text[], ${h.outcomes}::text[], ${h.codes}::text[], ${h.details}::text[], ${h.ats}::timestamptz[]) WITH ORDINALITY AS t(step, outcome, code, detail, at, n)
       ORDER BY t.n`;
  }

  /**
   * One statement that moves a saga: updates the order only while this replica holds its lease and
   * it is still PENDING, and in the same statement stores the reservation's prices and the history.
   * Answers the order's new update time.
   */
  private async fenced(
    id: string,
    owner: string,
    set: RawBuilder<unknown>,
    reservation: Reservation | null,
    history: readonly NewHistory[],
  ): Promise<Date> {
    const lines = reservation?.lines ?? [];
    const { rows } = await sql<{ updated_at: Date }>`
      WITH o AS (
        UPDATE orders SET ${set}, total_cents = coalesce(${reservation?.totalCents ?? null}::bigint, total_cents),
                          currency = coalesce(${reservation?.currency ?? null}::text, currency), updated_at = clock_timestamp()
         WHERE id = ${id} AND lease_owner = ${owner} AND status = 'PENDING' RETURNING id, updated_at
      ), l AS (
        UPDATE order_lines ol SET price_cents = t.p
          FROM o, unnest(${lines.map((l) => l.sku)}::text[], ${lines.map((l) => l.priceCents)}::bigint[]) AS t(sku, p)
         WHERE ol.order_id = o.id AND ol.sku = t.sku
      ), h AS (${this.insertHistory(historyArrays(history))})
      SELECT updated_at FROM o`.execute(this.db);
    const updatedAt = rows[0]?.updated_at;
    if (!updatedAt) throw new LeaseLostError("the saga's lease is held by another replica");
    return updatedAt;
  }
}
