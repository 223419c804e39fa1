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

/** Thrown when another replica has taken the saga over; the loser stops without writing. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

/** Durable orders and their saga progress. Writes that move a saga are fenced by its lease. */
export interface OrderRepository {
  /** Inserts the PENDING order with its lines; false when (customer, idempotency key) already exists. */
  create(order: NewOrder): Promise<boolean>;
  get(id: string): Promise<Order | null>;
  findByIdempotencyKey(customerId: string, key: string): Promise<IdempotencyRecord | null>;
  /** Newest first; `cursor` is the opaque `nextCursor` of the previous page. */
  listByCustomer(customerId: string, limit: number, cursor: string | null): Promise<{ orders: Order[]; nextCursor: string | null }>;
  /** Stores the reserved unit prices and the total. */
  recordReservation(id: string, owner: string, lines: readonly OrderLine[], totalCents: number, currency: string, history: readonly NewHistory[]): Promise<void>;
  /** Makes the decision to fail durable while the order is still PENDING. */
  recordFailing(id: string, owner: string, reason: FailureReason, history: readonly NewHistory[]): Promise<void>;
  /** Ends the saga: sets the final status, appends history, releases the lease. */
  finish(id: string, owner: string, status: Extract<OrderStatus, "CONFIRMED" | "FAILED">, reason: FailureReason | null, history: readonly NewHistory[]): Promise<void>;
  appendHistory(id: string, history: readonly NewHistory[]): Promise<void>;
  /** Takes over PENDING orders whose lease ran out (their driver died); returns their ids. */
  claimStale(owner: string, leaseMs: number, limit: number): Promise<string[]>;
}
