/** The lifecycle of an order; FAILED and DELIVERED are final, CONFIRMED waits for delivery. */
export type OrderStatus = "PENDING" | "CONFIRMED" | "FAILED" | "DELIVERED";

/** Why an order failed; stable codes the gateway maps to HTTP answers. */
export type FailureReason = "OUT_OF_STOCK" | "PAYMENT_DECLINED" | "SERVICE_UNAVAILABLE" | "REJECTED";

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  /** Unit price reserved by Inventory; 0 until stock is deducted. */
  readonly priceCents: number;
}

export interface Location {
  readonly lat: number;
  readonly lon: number;
}

export interface HistoryEntry {
  readonly step: string;
  readonly outcome: string;
  /** Stable code of what happened (see history.ts): what customers are told, as a fixed sentence. */
  readonly code: string;
  /** The raw particulars (ids, the error as raised): for admins and logs, never shown to customers. */
  readonly detail: string;
  readonly at: Date;
}

export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly lines: readonly OrderLine[];
  readonly totalCents: number;
  readonly currency: string;
  readonly failureReason: FailureReason | null;
  readonly riderId: string | null;
  readonly deliveryLocation: Location | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly history: readonly HistoryEntry[];
  /** The replica that holds the lease on the order's saga, while it is PENDING. */
  readonly sagaOwner: string | null;
}

export const isFinal = (status: OrderStatus): boolean => status !== "PENDING";

/**
 * Nothing more can happen to an order in this state that its customer is told of: FAILED (compensated)
 * or DELIVERED. CONFIRMED is not: a rider is still to be assigned (or replaced), then to deliver.
 */
export const isTerminal = (status: OrderStatus): boolean => status === "FAILED" || status === "DELIVERED";

/**
 * How far an order has come: its number of history entries. Every change of status or rider is
 * written with an entry in the same statement, and entries are never removed, so it only grows.
 */
export const orderVersion = (order: Pick<Order, "history">): number => order.history.length;
