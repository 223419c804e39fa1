import type { GeoPoint } from "../domain/geo";
import type { LocationUpdate, NearbyQuery } from "../domain/rider-input";
import type { RiderDistance } from "../domain/rider-distance";
import type { RiderPosition } from "../domain/rider-position";

/**
 * Where riders are, whether they take orders, and which order each one carries. Implemented on
 * Redis (GEO + Lua) and in process; both pass one contract suite. A rider is *fresh* while their
 * last location update is at most `maxAgeMs` old; the index keeps the clock, so every replica of
 * the service judges freshness by the same one.
 */
export interface RiderIndex {
  /** Records the position (now fresh) and the rider's own availability, atomically. */
  update(update: LocationUpdate, maxAgeMs: number): Promise<void>;
  /** Fresh riders anywhere, busy or not, with their last positions, most recently seen first, at most `limit`. */
  list(limit: number, maxAgeMs: number): Promise<RiderPosition[]>;
  /** Fresh riders within the radius, busy or not, nearest first, at most `limit`. */
  nearby(query: NearbyQuery, maxAgeMs: number): Promise<RiderDistance[]>;
  /**
   * Claims the nearest rider who is fresh, available and carries no order, for `orderId`, in one
   * atomic step: no two orders get one rider, no rider gets two active orders. Idempotent by order
   * id: a repeat (even after release) answers the order's one assignment and claims nobody new.
   * Resolves undefined when nobody within `radiusKm` is free.
   */
  assignNearest(
    orderId: string,
    pickup: GeoPoint,
    radiusKm: number,
    maxAgeMs: number,
  ): Promise<RiderDistance | undefined>;
  /**
   * Ends the order's assignment; its rider takes orders again at their last location (unless they
   * said they are unavailable). True when the order's rider is free of it: released now, or already
   * (a repeat: a released order is remembered for the retention the index was built with, so a retry
   * whose first answer was lost is still answered released). When the index does not know the
   * order (never assigned here, forgotten in a restart, or released longer ago than the retention):
   * true if `riderId` (the rider the caller recorded) is given, since this order holds nobody here
   * (whatever that rider carries now; the release is then remembered like any other); false otherwise.
   */
  release(orderId: string, riderId?: string): Promise<boolean>;
  /**
   * Re-asserts an assignment the caller holds durably: when the index does not know `orderId`, the
   * rider becomes busy with it (at distance 0), and any other order the index had given that rider
   * loses them: that order's next assignNearest claims someone afresh. Leaves an order the index
   * knows (active or released) alone, so a late re-assertion never makes a freed rider busy again.
   * True when the assignment was recorded now.
   */
  hold(orderId: string, riderId: string): Promise<boolean>;
}
