import type { GeoPoint } from "./geo";

/** A rider as the index last heard of them: where, whether they take orders, what they carry. */
export interface RiderPosition {
  readonly riderId: string;
  readonly position: GeoPoint;
  /** What the rider last said about taking orders. */
  readonly available: boolean;
  /** The order the rider carries, or null. */
  readonly orderId: string | null;
  /** The time of their last location update (ms since the epoch, the index's clock). */
  readonly seenAt: number;
}
