/** A point on the earth in degrees (WGS 84). */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/**
 * The latitudes a geo index can hold. Redis GEO stores points as Web Mercator geohashes, which
 * end at ±85.05112878°; the in-process index keeps the same band so both answer alike.
 */
export const MAX_INDEXED_LAT = 85.05112878;

/** The earth radius Redis GEO measures with, so both index adapters report the same distances. */
export const EARTH_RADIUS_KM = 6372.7976;

const radians = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance in km (haversine), the formula Redis GEO uses. */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = radians(b.lat - a.lat);
  const dLon = radians(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
