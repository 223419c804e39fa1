import type { FailureReason, HistoryEntry, Location, Order, OrderLine, OrderStatus } from "../domain/order";

export interface NewOrder {
  readonly id: string;
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly deliveryLocation: Location | null;
  readonly idempotencyKey: string | null;
  readonly requestHash: string;
  readonly leaseOwner: string;
  readonly leaseMs: number;
}

export interface IdempotencyRecord {
  readonly orderId: string;
  readonly requestHash: string;
}

export type NewHistory = HistoryEntry;

/** What Inventory reserved for an order: unit prices per line and the total to charge. */
export interface Reservation {
  readonly lines: readonly OrderLine[];
  readonly totalCents: number;
  readonly currency: string;
}

/** What recording a rider for an order came to. */
export type RiderAssignment =
  /** Recorded; `updatedAt` is the order's new update time (the database's clock). */
  | { readonly kind: "assigned"; readonly updatedAt: Date }
  /** The order no longer waits for a rider: not CONFIRMED, or it has one. */
  | { readonly kind: "not-waiting" }
  /** The rider carries another active (CONFIRMED) order: one rider has at most one at a time. */
  | { readonly kind: "rider-busy"; readonly activeOrderId: string };

/** Which orders a listing holds; null matches any. */
export interface OrderFilter {
  readonly customerId: string | null;
  readonly status: OrderStatus | null;
}

/** Thrown when another replica has taken the saga over; the loser stops without writing. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

/** Durable orders and their saga progress. Writes that move a saga are fenced by its lease. */
export interface OrderRepository {
  /**
   * Inserts the PENDING order with its lines and answers it as stored (the database's timestamps);
   * null when (customer, idempotency key) already exists.
   */
  create(order: NewOrder): Promise<Order | null>;
  get(id: string): Promise<Order | null>;
  /**
   * The orders among `ids` that exist, each as `get` answers it, each once, in the order asked;
   * unknown ids left out. One read whatever their number.
   */
  findMany(ids: readonly string[]): Promise<Order[]>;
  findByIdempotencyKey(customerId: string, key: string): Promise<IdempotencyRecord | null>;
  /** The orders `filter` matches, newest first; `cursor` is the opaque `nextCursor` of the previous page. */
  list(
    filter: OrderFilter,
    limit: number,
    cursor: string | null,
  ): Promise<{ orders: Order[]; nextCursor: string | null }>;
  /** Makes the decision to fail durable while the order is still PENDING (with the reservation, if any). */
  recordFailing(
    id: string,
    owner: string,
    reason: FailureReason,
    reservation: Reservation | null,
    history: readonly NewHistory[],
  ): Promise<void>;
  /**
   * Ends the saga: sets the final status and the reservation's prices, appends history, releases the
   * lease. Prices need no earlier write: a saga that is driven again gets them again from the
   * idempotent DeductStock. Answers the order's new update time (the database's clock), so the saga
   * can answer the order as stored without reading it back.
   */
  finish(
    id: string,
    owner: string,
    status: Extract<OrderStatus, "CONFIRMED" | "FAILED">,
    reason: FailureReason | null,
    reservation: Reservation | null,
    history: readonly NewHistory[],
  ): Promise<Date>;
  appendHistory(id: string, history: readonly NewHistory[]): Promise<void>;
  /**
   * Records the rider of a CONFIRMED order that has none yet (with the history, only if it did).
   * Refused when the order no longer waits, or when the rider already carries another CONFIRMED
   * order: the database holds that invariant, whatever the rider service answered.
   */
  assignRider(id: string, riderId: string, history: readonly NewHistory[]): Promise<RiderAssignment>;
  /** CONFIRMED → DELIVERED by the assigned rider; false when the order is not in that state. */
  markDelivered(id: string, riderId: string, history: readonly NewHistory[]): Promise<boolean>;
  /** The CONFIRMED order assigned to the rider (a rider carries at most one), or null. */
  activeForRider(riderId: string): Promise<Order | null>;
  /** CONFIRMED orders without a rider, longest waiting first. */
  listAwaitingRider(limit: number): Promise<Order[]>;
  /** Takes over PENDING orders whose lease ran out (their driver died); returns their ids. */
  claimStale(owner: string, leaseMs: number, limit: number): Promise<string[]>;
}
