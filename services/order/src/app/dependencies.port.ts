import type { CatalogItem } from "../domain/order-pricing";

export type { CatalogItem };

/** What the saga needs from Inventory. Errors are AppErrors carrying the remote's stable code. */
export interface InventoryPort {
  /** Price and currency of each of `skus` that exists (a missing sku is not in the map). */
  catalog(skus: readonly string[]): Promise<ReadonlyMap<string, CatalogItem>>;
  deductStock(
    orderId: string,
    lines: readonly { sku: string; quantity: number }[],
  ): Promise<{
    lines: { sku: string; quantity: number; unitPriceCents: number }[];
    totalCents: number;
    currency: string;
  }>;
  addStock(orderId: string): Promise<{ restored: boolean }>;
}

/** What the saga needs from Payment. */
export interface PaymentPort {
  /** Takes `amountCents` from the customer's balance in `currency` (the order's) only. */
  charge(orderId: string, customerId: string, amountCents: number, currency: string): Promise<{ chargeId: string }>;
  refund(orderId: string): Promise<{ refunded: boolean }>;
}

/** Whether the saga's dependencies can be called at all right now (their circuit breakers). */
export interface DependencyHealth {
  /** The dependencies whose circuit is open: calling them would fail at once. */
  openCircuits(): string[];
}

/** What dispatch needs from the Rider service. */
export interface RiderPort {
  /** Claims the nearest free rider for the order (idempotent by order id); refused NO_RIDER_AVAILABLE when none. */
  assignNearest(orderId: string, lat: number, lon: number): Promise<{ riderId: string }>;
  /**
   * Frees the order's rider (idempotent: a repeat answers released). `riderId` is the rider this
   * service recorded, for a rider service that forgot the order. `released` false: nothing was freed.
   */
  release(orderId: string, riderId?: string): Promise<{ released: boolean }>;
  /**
   * Re-asserts that the rider carries the order (this service's durable record) to a rider service
   * that forgot it; any other order it had given that rider is assigned afresh. No-op for an order it knows.
   */
  hold(orderId: string, riderId: string): Promise<{ restored: boolean }>;
}
