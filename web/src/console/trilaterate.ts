import type { NearbyRider } from "../api/types";

export const KM_PER_DEG_LAT = 111.32;

export interface RiderPosition {
  readonly riderId: string;
  readonly lat: number;
  readonly lon: number;
}

/**
 * Riders' positions from three distance lists. The API answers riders near a point with their
 * distance only (GET /v1/riders/nearby), so the console asks from three points — a center, one
 * `offsetKm` east of it and one north — and solves the two circle equations in a local plane (km):
 * x = (dA² − dB² + dx²) / 2dx, y = (dA² − dC² + dy²) / 2dy. Good to metres over a few km.
 */
export function trilaterate(
  center: { lat: number; lon: number },
  offsetKm: number,
  fromCenter: readonly NearbyRider[],
  fromEast: readonly NearbyRider[],
  fromNorth: readonly NearbyRider[],
): RiderPosition[] {
  const kmPerDegLon = KM_PER_DEG_LAT * Math.cos((center.lat * Math.PI) / 180);
  const east = new Map(fromEast.map((r) => [r.riderId, r.distanceKm]));
  const north = new Map(fromNorth.map((r) => [r.riderId, r.distanceKm]));
  const out: RiderPosition[] = [];
  for (const r of fromCenter) {
    const dB = east.get(r.riderId);
    const dC = north.get(r.riderId);
    if (dB === undefined || dC === undefined) continue;
    const dA = r.distanceKm;
    const x = (dA * dA - dB * dB + offsetKm * offsetKm) / (2 * offsetKm);
    const y = (dA * dA - dC * dC + offsetKm * offsetKm) / (2 * offsetKm);
    out.push({ riderId: r.riderId, lat: center.lat + y / KM_PER_DEG_LAT, lon: center.lon + x / kmPerDegLon });
  }
  return out;
}

/** The points `offsetKm` east and north of `center`. */
export function offsets(center: { lat: number; lon: number }, offsetKm: number) {
  const kmPerDegLon = KM_PER_DEG_LAT * Math.cos((center.lat * Math.PI) / 180);
  return {
    east: { lat: center.lat, lon: center.lon + offsetKm / kmPerDegLon },
    north: { lat: center.lat + offsetKm / KM_PER_DEG_LAT, lon: center.lon },
  };
}
