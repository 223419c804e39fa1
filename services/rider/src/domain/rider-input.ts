import { isSubject, SUBJECT_RULE } from "@qc/platform/identity";
import { accepted, rejected, type Checked } from "@qc/platform/errors";
import { invalidInput, shown } from "./rider.errors";
import { MAX_INDEXED_LAT, type GeoPoint } from "./geo";

export const DEFAULT_NEARBY_LIMIT = 20;
export const MAX_NEARBY_LIMIT = 100;
export const MAX_RADIUS_KM = 50;
export const MAX_ORDER_ID_LENGTH = 64;
export const DEFAULT_LIST_LIMIT = 200;
export const MAX_LIST_LIMIT = 1_000;

// No id needs control characters, and keeping them out keeps logs and Redis keys readable.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface LocationUpdate {
  readonly riderId: string;
  readonly position: GeoPoint;
  /** False takes the rider out of assignment until they send true again. */
  readonly available: boolean;
}

export interface NearbyQuery {
  readonly center: GeoPoint;
  readonly radiusKm: number;
  readonly limit: number;
}

export interface AssignRequest {
  readonly orderId: string;
  readonly pickup: GeoPoint;
}

export function parseRiderId(riderId: string): Checked<string> {
  return isSubject(riderId)
    ? accepted(riderId)
    : rejected(invalidInput("INVALID_RIDER_ID", `rider_id ${shown(riderId)} must be ${SUBJECT_RULE}`));
}

export function parseOrderId(orderId: string): Checked<string> {
  if (orderId === "" || [...orderId].length > MAX_ORDER_ID_LENGTH || CONTROL.test(orderId)) {
    return rejected(invalidInput("INVALID_ORDER_ID", `order_id must be 1-${MAX_ORDER_ID_LENGTH} printable characters`));
  }
  // One canonical form end to end (the order service's ids are UUIDs, stored lowercase): an id typed
  // in capitals must find, and free, the very assignment made under its lowercase form.
  return accepted(orderId.toLowerCase());
}

/**
 * Latitude −90..90 and longitude −180..180, finite; beyond ±85.05112878° latitude no geo index can
 * hold the point (see MAX_INDEXED_LAT), so it is refused here rather than failing in storage.
 */
export function parsePoint(lat: number, lon: number): Checked<GeoPoint> {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    return rejected(invalidInput("INVALID_LOCATION", "lat must be within -90..90 and lon within -180..180"));
  }
  if (Math.abs(lat) > MAX_INDEXED_LAT) {
    return rejected(
      invalidInput("INVALID_LOCATION", `lat must be within ±${MAX_INDEXED_LAT} (the mapped area of the geo index)`),
    );
  }
  return accepted({ lat, lon });
}

export function parseLocationUpdate(
  riderId: string,
  lat: number,
  lon: number,
  available: boolean,
): Checked<LocationUpdate> {
  const id = parseRiderId(riderId);
  if (!id.ok) return id;
  const position = parsePoint(lat, lon);
  if (!position.ok) return position;
  return accepted({ riderId: id.value, position: position.value, available });
}

/** radius 0 < r ≤ 50 km; limit 1..100, where 0 (proto3's unset) means 20. */
export function parseNearbyQuery(lat: number, lon: number, radiusKm: number, limit: number): Checked<NearbyQuery> {
  const center = parsePoint(lat, lon);
  if (!center.ok) return center;
  if (!Number.isFinite(radiusKm) || radiusKm <= 0 || radiusKm > MAX_RADIUS_KM) {
    return rejected(invalidInput("INVALID_RADIUS", `radius_km must be above 0 and at most ${MAX_RADIUS_KM}`));
  }
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_NEARBY_LIMIT) {
    return rejected(
      invalidInput(
        "INVALID_LIMIT",
        `limit must be an integer from 1 to ${MAX_NEARBY_LIMIT} (0 for ${DEFAULT_NEARBY_LIMIT})`,
      ),
    );
  }
  return accepted({ center: center.value, radiusKm, limit: limit === 0 ? DEFAULT_NEARBY_LIMIT : limit });
}

export function parseAssignRequest(orderId: string, lat: number, lon: number): Checked<AssignRequest> {
  const id = parseOrderId(orderId);
  if (!id.ok) return id;
  const pickup = parsePoint(lat, lon);
  if (!pickup.ok) return pickup;
  return accepted({ orderId: id.value, pickup: pickup.value });
}

/** How many riders a listing holds: 1..1000, where 0 (proto3's unset) means 200. */
export function parseListLimit(limit: number): Checked<number> {
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_LIST_LIMIT) {
    return rejected(
      invalidInput(
        "INVALID_LIMIT",
        `limit must be an integer from 1 to ${MAX_LIST_LIMIT} (0 for ${DEFAULT_LIST_LIMIT})`,
      ),
    );
  }
  return accepted(limit === 0 ? DEFAULT_LIST_LIMIT : limit);
}
