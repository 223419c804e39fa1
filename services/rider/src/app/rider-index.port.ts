import type { GeoPoint } from "../domain/geo";
import type { LocationUpdate, NearbyQuery } from "../domain/rider-input";
import type { RiderDistance } from "../domain/rider-distance";

/**
 * Where riders are, whether they take orders, and which order each one carries. Implemented on
 * Redis (GEO + Lua) and in process; both pass one contract suite. A rider is *fresh* while their
 * last location update is at most `maxAgeMs` old; the index keeps the clock, so every replica of
 * the service judges freshness by the same one.
 */
export interface RiderIndex {
  /** Records the position (now fresh) and the rider's own availability, atomically. */
  update(update: LocationUpdate, maxAgeMs: number): Promise<void>;
  /** Fresh riders within the radius, busy or not, nearest first, at most `limit`. */
  nearby(query: NearbyQuery, maxAgeMs: number): Promise<RiderDistance[]>;
  /**
   * Claims the nearest rider who is fresh, available and carries no order, for `orderId`, in one
   * atomic step: no two orders get one rider, no rider gets two active orders. Idempotent by order
   * id: a repeat (even after release) answers the order's one assignment and claims nobody new.
   * Resolves undefined when nobody within `radiusKm` is free.
   */
  assignNearest(orderId: string, pickup: GeoPoint, radiusKm: number, maxAgeMs: number): Promise<RiderDistance | undefined>;
  /**
   * Ends the order's assignment; its rider takes orders again at their last location (unless they
   * said they are unavailable). False when the order has no active assignment.
   */
  release(orderId: string): Promise<boolean>;
}
