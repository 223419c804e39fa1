import { AppError } from "@qc/platform/errors";
import type { riderV1 } from "@qc/contracts";
import type { NearbyQuery } from "./rider.schema";

export const DEFAULT_RADIUS_KM = 5;
export const MAX_RADIUS_KM = 50;
export const DEFAULT_NEARBY_LIMIT = 20;

interface Range {
  readonly min: number;
  readonly max: number;
  /** `min` itself is out of range. */
  readonly aboveMin?: boolean;
}

/** A validated decimal string as a number within `range`, or 400 VALIDATION_FAILED naming the field. */
function decimalIn(name: string, value: string, range: Range): number {
  const n = Number(value);
  const aboveLow = range.aboveMin === true ? n > range.min : n >= range.min;
  if (!Number.isFinite(n) || !aboveLow || n > range.max) {
    const low = range.aboveMin === true ? `above ${range.min}` : `from ${range.min}`;
    throw new AppError("invalid", "VALIDATION_FAILED", `querystring/${name} must be a number ${low} to ${range.max}`);
  }
  return n;
}

/** The Nearby call for a validated `?lat&lon&radiusKm&limit`, with the defaults filled in. */
export function toNearbyRequest(query: NearbyQuery): riderV1.NearbyRequest {
  return {
    lat: decimalIn("lat", query.lat, { min: -90, max: 90 }),
    lon: decimalIn("lon", query.lon, { min: -180, max: 180 }),
    radiusKm:
      query.radiusKm === undefined
        ? DEFAULT_RADIUS_KM
        : decimalIn("radiusKm", query.radiusKm, { min: 0, max: MAX_RADIUS_KM, aboveMin: true }),
    limit: query.limit ?? DEFAULT_NEARBY_LIMIT,
  };
}
