import type { RiderIndex } from "../../app/rider-index.port";
import { distanceKm, type GeoPoint } from "../../domain/geo";
import type { RiderDistance } from "../../domain/rider-distance";
import type { RiderPosition } from "../../domain/rider-position";
import type { LocationUpdate, NearbyQuery } from "../../domain/rider-input";

interface RiderState {
  readonly position: GeoPoint;
  readonly seenAt: number;
  /** What the rider last said about taking orders. */
  readonly available: boolean;
}

interface Assignment {
  readonly rider: RiderDistance;
  releasedAt: number | undefined;
}

// Redis reports distances with four decimals; so does this index, so the two answer alike.
const asReported = (km: number): number => Math.round(km * 10_000) / 10_000;

/**
 * The rider index in process memory, for running without Redis: the same semantics as the Redis
 * index, down to pruning riders who stopped reporting. Atomicity comes free, because no method
 * awaits anything between reading and writing.
 */
export class MemoryRiderIndex implements RiderIndex {
  /** Kept in the order of the riders' last updates, so the stale ones are always at the front. */
  private readonly riders = new Map<string, RiderState>();
  /** rider → the order they carry. */
  private readonly busy = new Map<string, string>();
  private readonly assignments = new Map<string, Assignment>();
  /** Released orders in release order, so expired ones are dropped from the front. */
  private readonly released = new Map<string, number>();

  constructor(
    private readonly options: { readonly releasedRetentionMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  async update(update: LocationUpdate, maxAgeMs: number): Promise<void> {
    const now = this.now();
    this.riders.delete(update.riderId);
    this.riders.set(update.riderId, { position: update.position, seenAt: now, available: update.available });
    // Riders who stopped reporting leave the index (a busy one stays busy), as in Redis.
    for (const [riderId, rider] of this.riders) {
      if (rider.seenAt >= now - maxAgeMs) break;
      this.riders.delete(riderId);
    }
  }

  async list(limit: number, maxAgeMs: number): Promise<RiderPosition[]> {
    const oldest = this.now() - maxAgeMs;
    const found: RiderPosition[] = [];
    // Newest last in the map: walk it backwards, stopping at the first stale rider.
    for (const [riderId, rider] of [...this.riders].reverse()) {
      if (rider.seenAt < oldest || found.length === limit) break;
      const { position, available, seenAt } = rider;
      found.push({ riderId, position, available, orderId: this.busy.get(riderId) ?? null, seenAt });
    }
    return found;
  }

  async nearby(query: NearbyQuery, maxAgeMs: number): Promise<RiderDistance[]> {
    return this.within(query.center, query.radiusKm, maxAgeMs, () => true).slice(0, query.limit);
  }

  async assignNearest(
    orderId: string,
    pickup: GeoPoint,
    radiusKm: number,
    maxAgeMs: number,
  ): Promise<RiderDistance | undefined> {
    this.forgetExpiredReleases();
    const prior = this.assignments.get(orderId);
    if (prior !== undefined && (prior.releasedAt !== undefined || this.busy.get(prior.rider.riderId) === orderId))
      return prior.rider;
    // (An active assignment whose rider is busy with another order lost them to `hold`: claim afresh.)
    const free = (riderId: string, rider: RiderState): boolean => rider.available && !this.busy.has(riderId);
    const nearest = this.within(pickup, radiusKm, maxAgeMs, free)[0];
    if (nearest === undefined) return undefined;
    this.busy.set(nearest.riderId, orderId);
    this.assignments.set(orderId, { rider: nearest, releasedAt: undefined });
    return nearest;
  }

  async release(orderId: string, riderId?: string): Promise<boolean> {
    this.forgetExpiredReleases();
    const assignment = this.assignments.get(orderId);
    if (assignment === undefined) {
      // Unknown here (forgotten in a restart): this order holds nobody, whatever the rider named
      // carries now; remembered like any release. Without a rider named it cannot be told from a lost one.
      if (riderId === undefined) return false;
      const releasedAt = this.now();
      this.assignments.set(orderId, { rider: { riderId, distanceKm: 0 }, releasedAt });
      this.released.set(orderId, releasedAt);
      return true;
    }
    if (assignment.releasedAt !== undefined) return true;
    assignment.releasedAt = this.now();
    this.released.set(orderId, assignment.releasedAt);
    if (this.busy.get(assignment.rider.riderId) === orderId) this.busy.delete(assignment.rider.riderId);
    return true;
  }

  async hold(orderId: string, riderId: string): Promise<boolean> {
    this.forgetExpiredReleases();
    if (this.assignments.has(orderId)) return false;
    // Any order the rider carried here loses them (assignNearest sees it and claims afresh).
    this.busy.set(riderId, orderId);
    this.assignments.set(orderId, { rider: { riderId, distanceKm: 0 }, releasedAt: undefined });
    return true;
  }

  /** Fresh riders passing `filter` within the radius, nearest first (ties by id). */
  private within(
    center: GeoPoint,
    radiusKm: number,
    maxAgeMs: number,
    filter: (id: string, r: RiderState) => boolean,
  ): RiderDistance[] {
    const oldest = this.now() - maxAgeMs;
    const found: RiderDistance[] = [];
    for (const [riderId, rider] of this.riders) {
      if (rider.seenAt < oldest || !filter(riderId, rider)) continue;
      const km = distanceKm(center, rider.position);
      if (km <= radiusKm) found.push({ riderId, distanceKm: asReported(km) });
    }
    return found.sort((a, b) => a.distanceKm - b.distanceKm || (a.riderId < b.riderId ? -1 : 1));
  }

  private forgetExpiredReleases(): void {
    const oldest = this.now() - this.options.releasedRetentionMs;
    for (const [orderId, releasedAt] of this.released) {
      if (releasedAt >= oldest) break;
      this.released.delete(orderId);
      this.assignments.delete(orderId);
    }
  }
}
