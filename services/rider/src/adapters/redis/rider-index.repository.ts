import type { Redis } from "ioredis";
import type { RiderIndex } from "../../app/rider-index.port";
import type { GeoPoint } from "../../domain/geo";
import type { RiderDistance } from "../../domain/rider-distance";
import type { RiderPosition } from "../../domain/rider-position";
import type { LocationUpdate, NearbyQuery } from "../../domain/rider-input";
import { redisCall } from "@qc/platform/redis";
import { defineRiderScripts } from "./rider-scripts";

/** How many riders who stopped reporting one location update prunes from the index, at most. */
const PRUNE_BATCH = 16;

export interface RedisRiderIndexOptions {
  /** Prepended to every key, so environments (and test runs) sharing a Redis stay apart. */
  readonly keyPrefix: string;
  /** How long a released order's assignment is remembered, so a late repeat still gets its answer. */
  readonly releasedRetentionMs: number;
}

const toRiderDistance = ([riderId, km]: readonly [string, string]): RiderDistance => ({
  riderId,
  distanceKm: Number(km),
});

/** The rider index on Redis GEO; every operation is one Lua script, so one atomic round trip. */
export class RedisRiderIndex implements RiderIndex {
  private readonly keys: { geo: string; free: string; seen: string; off: string; busy: string };

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRiderIndexOptions,
  ) {
    defineRiderScripts(redis);
    const key = (name: string): string => `${options.keyPrefix}{rider}:${name}`;
    this.keys = { geo: key("geo"), free: key("free"), seen: key("seen"), off: key("off"), busy: key("busy") };
  }

  async update(update: LocationUpdate, maxAgeMs: number): Promise<void> {
    const { geo, free, seen, off, busy } = this.keys;
    const { riderId, position, available } = update;
    await redisCall(() =>
      this.redis.riderUpdate(
        geo,
        free,
        seen,
        off,
        busy,
        riderId,
        position.lon,
        position.lat,
        available ? 1 : 0,
        maxAgeMs,
        PRUNE_BATCH,
      ),
    );
  }

  async list(limit: number, maxAgeMs: number): Promise<RiderPosition[]> {
    const { geo, seen, off, busy } = this.keys;
    const rows = await redisCall(() => this.redis.riderList(geo, seen, off, busy, maxAgeMs, limit));
    return rows.map(([riderId, lon, lat, seenAt, isOff, orderId]) => ({
      riderId,
      position: { lat: Number(lat), lon: Number(lon) },
      available: isOff === 0,
      orderId: orderId === "" ? null : orderId,
      seenAt: Number(seenAt),
    }));
  }

  async nearby(query: NearbyQuery, maxAgeMs: number): Promise<RiderDistance[]> {
    const { center, radiusKm, limit } = query;
    const hits = await redisCall(() =>
      this.redis.riderNearby(this.keys.geo, this.keys.seen, center.lon, center.lat, radiusKm, limit, maxAgeMs),
    );
    return hits.map(toRiderDistance);
  }

  async assignNearest(
    orderId: string,
    pickup: GeoPoint,
    radiusKm: number,
    maxAgeMs: number,
  ): Promise<RiderDistance | undefined> {
    const { free, seen, busy } = this.keys;
    const hit = await redisCall(() =>
      this.redis.riderAssign(
        free,
        seen,
        busy,
        this.orderKey(orderId),
        orderId,
        pickup.lon,
        pickup.lat,
        radiusKm,
        maxAgeMs,
      ),
    );
    return hit === null ? undefined : toRiderDistance(hit);
  }

  async release(orderId: string, riderId?: string): Promise<boolean> {
    const { busy, free, geo, off } = this.keys;
    const released = await redisCall(() =>
      this.redis.riderRelease(
        this.orderKey(orderId),
        busy,
        free,
        geo,
        off,
        orderId,
        this.options.releasedRetentionMs,
        riderId ?? "",
      ),
    );
    return released === 1;
  }

  async hold(orderId: string, riderId: string): Promise<boolean> {
    const { busy, free } = this.keys;
    return (await redisCall(() => this.redis.riderHold(this.orderKey(orderId), busy, free, orderId, riderId))) === 1;
  }

  private orderKey(orderId: string): string {
    return `${this.options.keyPrefix}{rider}:order:${orderId}`;
  }
}
