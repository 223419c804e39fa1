import { describe, expect, it } from "vitest";
import {
  parseAssignRequest,
  parseListLimit,
  parseLocationUpdate,
  parseNearbyQuery,
  parseOrderId,
  parsePoint,
  parseRiderId,
} from "./rider-input";

const codeOf = (c: { ok: boolean; violation?: { code: string } }): string | undefined => c.violation?.code;

describe("parseRiderId", () => {
  // Any subject the gateway accepts in a token (one pattern, @qc/platform/identity): 128 characters, ':' too.
  it.each(["r", "R1", "rider_1.x@fleet-2", "idp:rider-1", "9".repeat(128)])("accepts %s", (id) => {
    expect(parseRiderId(id)).toEqual({ ok: true, value: id });
  });

  it.each(["", "-r", ".r", "@r", "a b", "a/b", "ä", "r\n", "a".repeat(129)])("rejects %j", (id) => {
    expect(codeOf(parseRiderId(id))).toBe("INVALID_RIDER_ID");
  });
});

describe("parseOrderId", () => {
  it.each(["o", "order 1/ä", "x".repeat(64), "😀".repeat(64)])("accepts %j", (id) => {
    expect(parseOrderId(id)).toEqual({ ok: true, value: id });
  });

  it("takes an order id in its one canonical form (lowercase), however the caller spelt it", () => {
    expect(parseOrderId("ABCDEF00-0000-4000-8000-00000000000A")).toEqual({
      ok: true,
      value: "abcdef00-0000-4000-8000-00000000000a",
    });
  });

  it.each(["", "x".repeat(65), "a\u0000b", "tab\there", "del\u007f"])("rejects %j", (id) => {
    expect(codeOf(parseOrderId(id))).toBe("INVALID_ORDER_ID");
  });
});

describe("parsePoint", () => {
  it.each([
    [0, 0],
    [85.05112878, 180],
    [-85.05112878, -180],
    [52.52, 13.405],
  ])("accepts lat %d lon %d", (lat, lon) => {
    expect(parsePoint(lat, lon)).toEqual({ ok: true, value: { lat, lon } });
  });

  it.each([
    [90.0001, 0],
    [-91, 0],
    [0, 180.5],
    [0, -181],
    [Number.NaN, 0],
    [0, Number.POSITIVE_INFINITY],
    // within −90..90 but outside the band a geo index can hold
    [86, 0],
    [-89.9, 0],
  ])("rejects lat %d lon %d", (lat, lon) => {
    expect(codeOf(parsePoint(lat, lon))).toBe("INVALID_LOCATION");
  });
});

describe("parseLocationUpdate", () => {
  it("takes a valid update", () => {
    expect(parseLocationUpdate("r1", 1, 2, false)).toEqual({
      ok: true,
      value: { riderId: "r1", position: { lat: 1, lon: 2 }, available: false },
    });
  });

  it("checks the id before the location", () => {
    expect(codeOf(parseLocationUpdate("", 100, 0, true))).toBe("INVALID_RIDER_ID");
    expect(codeOf(parseLocationUpdate("r1", 100, 0, true))).toBe("INVALID_LOCATION");
  });
});

describe("parseNearbyQuery", () => {
  it("reads limit 0 as the default of 20", () => {
    expect(parseNearbyQuery(1, 2, 5, 0)).toEqual({
      ok: true,
      value: { center: { lat: 1, lon: 2 }, radiusKm: 5, limit: 20 },
    });
  });

  it.each([1, 100])("accepts limit %d", (limit) => {
    expect(parseNearbyQuery(0, 0, 1, limit)).toMatchObject({ ok: true, value: { limit } });
  });

  it.each([-1, 101, 1.5])("rejects limit %d", (limit) => {
    expect(codeOf(parseNearbyQuery(0, 0, 1, limit))).toBe("INVALID_LIMIT");
  });

  it.each([0.001, 50])("accepts radius %d", (radiusKm) => {
    expect(parseNearbyQuery(0, 0, radiusKm, 1)).toMatchObject({ ok: true, value: { radiusKm } });
  });

  it.each([0, -1, 50.001, Number.NaN, Number.POSITIVE_INFINITY])("rejects radius %d", (radiusKm) => {
    expect(codeOf(parseNearbyQuery(0, 0, radiusKm, 1))).toBe("INVALID_RADIUS");
  });

  it("rejects a bad center", () => {
    expect(codeOf(parseNearbyQuery(0, 200, 1, 1))).toBe("INVALID_LOCATION");
  });
});

describe("parseAssignRequest", () => {
  it("takes a valid request", () => {
    expect(parseAssignRequest("o-1", 1, 2)).toEqual({
      ok: true,
      value: { orderId: "o-1", pickup: { lat: 1, lon: 2 } },
    });
  });

  it.each<[string, number, string]>([
    ["", 0, "INVALID_ORDER_ID"],
    ["o-1", 95, "INVALID_LOCATION"],
  ])("rejects order %j at lat %d with %s", (orderId, lat, code) => {
    expect(codeOf(parseAssignRequest(orderId, lat, 0))).toBe(code);
  });
});

describe("parseListLimit", () => {
  it("reads 0 as the default of 200 and accepts 1 to 1000", () => {
    expect(parseListLimit(0)).toEqual({ ok: true, value: 200 });
    expect(parseListLimit(1)).toEqual({ ok: true, value: 1 });
    expect(parseListLimit(1000)).toEqual({ ok: true, value: 1000 });
  });

  it.each([-1, 1001, 2.5, Number.NaN])("rejects %d", (limit) => {
    expect(codeOf(parseListLimit(limit))).toBe("INVALID_LIMIT");
  });
});
