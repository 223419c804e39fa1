/**
 * The REST contract of docs/design.md §6 as the web app reads it: the types of @qc/api-client,
 * generated from the gateway's OpenAPI document, so a change of the contract fails the app's type-check.
 */
import type { Schema } from "@qc/api-client";

export type Order = Schema<"Order">;
export type OrderStatus = Order["status"];
export type OrderItem = Order["items"][number];
/** One step of an order's history: a stable `code`, a fixed sentence `message`, and `detail` for admins only. */
export type HistoryEntry = Order["history"][number];
export type Location = NonNullable<Order["deliveryLocation"]>;
export type Product = Schema<"Product">;
export type CreateOrderBody = Schema<"CreateOrderBody">;
export type CircuitBreaker = Schema<"CircuitBreakers">["items"][number];
export type DeadLetter = Schema<"DeadLetter">;
export type Wallet = Schema<"Wallet">;
export type RiderPosition = Schema<"RiderPositions">["items"][number];
export type Role = Schema<"DevTokenBody">["role"];
export type AuthConfig = Schema<"AuthConfig">;

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * RFC 9457 problem details as the app reads an error answer: only `status` and `code` are relied on
 * (an answer from a proxy in between may carry nothing else).
 */
export type Problem = Pick<Schema<"Problem">, "status" | "code"> & Partial<Omit<Schema<"Problem">, "status" | "code">>;
