/**
 * The REST contract of docs/design.md §6, as the web app reads it. Kept to what the app uses; the
 * gateway's OpenAPI document (/docs/json) is the full reference.
 */
export type Role = "customer" | "rider" | "admin";
export type OrderStatus = "PENDING" | "CONFIRMED" | "FAILED" | "DELIVERED";

export interface Location {
  readonly lat: number;
  readonly lon: number;
}

export interface HistoryEntry {
  readonly step: string;
  readonly outcome: string;
  /** Stable code of what happened (STOCK_RESERVED, PAYMENT_DECLINED, …). */
  readonly code: string;
  /** A fixed sentence for the code, for people. */
  readonly message: string;
  /** Admins only: the raw particulars. */
  readonly detail?: string;
  readonly at: string;
}

export interface OrderItem {
  readonly sku: string;
  readonly quantity: number;
  readonly priceCents: number;
}

export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderItem[];
  readonly totalCents: number;
  readonly currency: string;
  readonly failureReason?: string;
  readonly riderId?: string;
  readonly deliveryLocation?: Location;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly HistoryEntry[];
}

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly stock: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** RFC 9457 problem details, with the platform's stable `code`. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  /** An order that failed, when the refusal concerns one. */
  readonly order?: Order;
  /** Upstreams that are down (503 from /readyz). */
  readonly unavailable?: readonly string[];
}

export interface CreateOrderBody {
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  readonly deliveryLocation?: Location;
}

export interface CircuitBreaker {
  readonly caller: string;
  readonly target: string;
  readonly state: string;
}

export interface DeadLetter {
  readonly id: string;
  readonly orderId: string;
  readonly step: string;
  readonly error: string;
  readonly attempts: number;
  readonly status: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly nextAttemptAt?: string;
}

export interface Wallet {
  readonly customerId: string;
  readonly currency: string;
  readonly balanceCents: number;
}

export interface NearbyRider {
  readonly riderId: string;
  readonly distanceKm: number;
}
