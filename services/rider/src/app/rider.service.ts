import { valueOrThrow } from "@qc/platform/errors";
import { noRiderAvailable } from "../domain/rider.errors";
import type { RiderDistance } from "../domain/rider-distance";
import { parseAssignRequest, parseListLimit, parseLocationUpdate, parseNearbyQuery, parseOrderId, parseRiderId } from "../domain/rider-input";
import type { RiderPosition } from "../domain/rider-position";
import type { RiderIndex } from "./rider-index.port";

export interface RiderPolicy {
  /** A rider whose last location update is older than this is neither listed nor assigned. */
  readonly staleMs: number;
  /** How far from the pickup point AssignNearest looks. */
  readonly assignRadiusKm: number;
}

/**
 * The rider use cases, callable in-process or through the gRPC adapter. Every method validates its
 * input before touching the index, and fails with an AppError carrying a stable code.
 */
export class RiderService {
  constructor(
    private readonly index: RiderIndex,
    private readonly policy: RiderPolicy,
  ) {}

  async updateLocation(input: { riderId: string; lat: number; lon: number; available: boolean }): Promise<void> {
    const update = valueOrThrow(parseLocationUpdate(input.riderId, input.lat, input.lon, input.available));
    await this.index.update(update, this.policy.staleMs);
  }

  /** Fresh riders (busy ones included) with their last positions, most recently seen first; `limit` 0 for the default. */
  async list(limit: number): Promise<RiderPosition[]> {
    return this.index.list(valueOrThrow(parseListLimit(limit)), this.policy.staleMs);
  }

  /** Fresh riders (busy ones included) within the radius, nearest first. */
  async nearby(input: { lat: number; lon: number; radiusKm: number; limit: number }): Promise<RiderDistance[]> {
    const query = valueOrThrow(parseNearbyQuery(input.lat, input.lon, input.radiusKm, input.limit));
    return this.index.nearby(query, this.policy.staleMs);
  }

  /** The nearest free, fresh rider, now carrying `orderId`; NO_RIDER_AVAILABLE when there is none. */
  async assignNearest(input: { orderId: string; lat: number; lon: number }): Promise<RiderDistance> {
    const request = valueOrThrow(parseAssignRequest(input.orderId, input.lat, input.lon));
    const { assignRadiusKm, staleMs } = this.policy;
    const assigned = await this.index.assignNearest(request.orderId, request.pickup, assignRadiusKm, staleMs);
    if (assigned === undefined) throw noRiderAvailable(assignRadiusKm);
    return assigned;
  }

  /**
   * Frees the order's rider; idempotent: a repeat answers released again. `riderId` (empty for none)
   * names the rider the caller recorded, for an order this service forgot; `released` is false only
   * when nothing could be freed (see RiderIndex.release).
   */
  async release(orderId: string, riderId = ""): Promise<{ released: boolean }> {
    const order = valueOrThrow(parseOrderId(orderId));
    const rider = riderId === "" ? undefined : valueOrThrow(parseRiderId(riderId));
    return { released: await this.index.release(order, rider) };
  }

  /** Re-asserts that the rider carries the order, as the caller durably recorded (see RiderIndex.hold). */
  async hold(input: { orderId: string; riderId: string }): Promise<{ restored: boolean }> {
    const order = valueOrThrow(parseOrderId(input.orderId));
    const rider = valueOrThrow(parseRiderId(input.riderId));
    return { restored: await this.index.hold(order, rider) };
  }
}
