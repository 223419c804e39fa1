import { describe, expect, it } from "vitest";
import { distanceKm } from "./geo";

describe("distanceKm", () => {
  it("measures Palermo–Catania as Redis's GEODIST does (166.2742 km)", () => {
    const palermo = { lat: 38.115556, lon: 13.361389 };
    const catania = { lat: 37.502669, lon: 15.087269 };
    expect(distanceKm(palermo, catania)).toBeCloseTo(166.2742, 2);
  });

  it("is zero for one point and symmetric", () => {
    const a = { lat: 52.52, lon: 13.405 };
    const b = { lat: 48.137, lon: 11.575 };
    expect(distanceKm(a, a)).toBe(0);
    expect(distanceKm(a, b)).toBeCloseTo(distanceKm(b, a), 9);
  });

  it("crosses the antimeridian the short way", () => {
    expect(distanceKm({ lat: 0, lon: 179.9 }, { lat: 0, lon: -179.9 })).toBeCloseTo(22.25, 1);
  });
});
