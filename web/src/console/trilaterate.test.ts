import { describe, expect, it } from "vitest";
import { KM_PER_DEG_LAT, offsets, trilaterate } from "./trilaterate";

/** Distance in km on the local plane the console assumes (what the rider service answers, to metres). */
function km(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const kmPerDegLon = KM_PER_DEG_LAT * Math.cos((a.lat * Math.PI) / 180);
  return Math.hypot((a.lat - b.lat) * KM_PER_DEG_LAT, (a.lon - b.lon) * kmPerDegLon);
}

describe("trilaterate", () => {
  it("places riders from their distances to three points", () => {
    const center = { lat: 52.5219, lon: 13.4132 };
    const { east, north } = offsets(center, 5);
    const riders = [
      { riderId: "r1", lat: 52.53, lon: 13.4 },
      { riderId: "r2", lat: 52.5, lon: 13.45 },
    ];
    const from = (p: { lat: number; lon: number }) => riders.map((r) => ({ riderId: r.riderId, distanceKm: km(p, r) }));
    const placed = trilaterate(center, 5, from(center), from(east), from(north));
    for (const r of riders) {
      const got = placed.find((p) => p.riderId === r.riderId);
      expect(got).toBeDefined();
      expect(km(got!, r)).toBeLessThan(0.05);
    }
  });

  it("leaves out a rider missing from one of the lists", () => {
    const center = { lat: 52.52, lon: 13.4 };
    expect(trilaterate(center, 5, [{ riderId: "r1", distanceKm: 1 }], [], [{ riderId: "r1", distanceKm: 2 }])).toEqual([]);
  });
});
