import { status } from "@grpc/grpc-js";
import type { orderV1, riderV1 } from "@qc/contracts";
import { RemoteError } from "@qc/platform/grpc";
import { circuitOpen } from "@qc/platform/resilience";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { anOrder } from "../testing/fixtures";
import { bearer, expectProblem, testApp } from "../testing/test-app";
import type { RiderCalls } from "../upstreams";

let app: GatewayApp;
afterEach(() => app.close());

describe("PUT /v1/riders/{id}/location", () => {
  const where = { lat: 52.52, lon: 13.405, available: true };

  /** The app with UpdateLocation answering `answer`, and every request it received. */
  function withUpdateLocation(answer: RiderCalls["updateLocation"] = async () => ({})) {
    const received: riderV1.UpdateLocationRequest[] = [];
    app = testApp(fakeUpstreams({ rider: { updateLocation: (req) => (received.push(req), answer(req)) } }));
    return received;
  }

  const put = async (id: string, payload: unknown, authorization?: string) =>
    app.inject({
      method: "PUT",
      url: `/v1/riders/${id}/location`,
      headers: { authorization: authorization ?? (await bearer("r1", "rider")) },
      payload: payload as object,
    });

  it("records the calling rider's own location: 204 without a body", async () => {
    const received = withUpdateLocation();
    const res = await put("r1", where);
    expect({ status: res.statusCode, body: res.body }).toEqual({ status: 204, body: "" });
    expect(received).toEqual([{ riderId: "r1", lat: 52.52, lon: 13.405, available: true }]);
  });

  it("passes available false, and the edges of the map", async () => {
    const received = withUpdateLocation();
    for (const payload of [
      { lat: 90, lon: 180, available: false },
      { lat: -90, lon: -180, available: true },
    ]) {
      expect((await put("r1", payload)).statusCode).toBe(204);
    }
    expect(received.map(({ lat, lon, available }) => [lat, lon, available])).toEqual([
      [90, 180, false],
      [-90, -180, true],
    ]);
  });

  it("refuses another rider, a customer and an admin with 403, and anonymous callers with 401", async () => {
    const received = withUpdateLocation();
    expectProblem(await put("r1", where, await bearer("r2", "rider")), 403, "FORBIDDEN");
    // Refused before the body is looked at: another rider learns nothing from a bad body either.
    expectProblem(await put("r1", { lat: 999 }, await bearer("r2", "rider")), 403, "FORBIDDEN");
    expectProblem(await put("r1", where, await bearer("r1", "customer")), 403, "FORBIDDEN");
    expectProblem(await put("r1", where, await bearer("boss", "admin")), 403, "FORBIDDEN");
    expectProblem(
      await app.inject({ method: "PUT", url: "/v1/riders/r1/location", payload: where }),
      401,
      "UNAUTHENTICATED",
    );
    expect(received).toEqual([]);
  });

  describe("refuses bad input with 400 VALIDATION_FAILED before calling upstream", () => {
    it.each([
      ["a latitude of 90.5", { ...where, lat: 90.5 }],
      ["a latitude of -91", { ...where, lat: -91 }],
      ["a longitude of 180.1", { ...where, lon: 180.1 }],
      ["a longitude of -181", { ...where, lon: -181 }],
      ["a latitude given as a string", { ...where, lat: "52.5" }],
      ["available given as a string", { ...where, available: "true" }],
      ["no available", { lat: 1, lon: 2 }],
      ["no lat", { lon: 2, available: true }],
      ["no lon", { lat: 1, available: true }],
      ["an unknown field", { ...where, speed: 12 }],
      ["an array body", [where]],
    ])("%s", async (_, payload) => {
      const received = withUpdateLocation();
      expect(expectProblem(await put("r1", payload), 400, "VALIDATION_FAILED").detail).toMatch(/^body/);
      expect(received).toEqual([]);
    });

    it("names the unknown field", async () => {
      withUpdateLocation();
      expect(expectProblem(await put("r1", { ...where, speed: 12 }), 400, "VALIDATION_FAILED").detail).toContain(
        "speed",
      );
    });
  });

  it.each([
    [
      new RemoteError("invalid", "INVALID_LOCATION", "lat must be within ±85.05112878", status.INVALID_ARGUMENT),
      400,
      "INVALID_LOCATION",
    ],
    [
      new RemoteError("invalid", "INVALID_RIDER_ID", "rider_id must be 1-64 letters", status.INVALID_ARGUMENT),
      400,
      "INVALID_RIDER_ID",
    ],
    [
      new RemoteError("unavailable", "REDIS_UNAVAILABLE", "redis is unavailable", status.UNAVAILABLE),
      503,
      "REDIS_UNAVAILABLE",
    ],
    [circuitOpen("rider"), 503, "CIRCUIT_OPEN"],
  ])("passes the rider service's %s through the problem table", async (err, httpStatus, code) => {
    withUpdateLocation(() => Promise.reject(err));
    const res = await put("r1", { ...where, lat: 89 });
    expectProblem(res, httpStatus, code);
    if (httpStatus === 503) expect(res.headers["retry-after"]).toBe(code === "CIRCUIT_OPEN" ? "5" : "1");
  });
});

describe("GET /v1/riders/{id}/assignment", () => {
  /** The app with GetRiderAssignment answering `order`, and every request it received. */
  function withAssignment(order: orderV1.Order | undefined) {
    const received: orderV1.GetRiderAssignmentRequest[] = [];
    app = testApp(fakeUpstreams({ order: { getRiderAssignment: async (req) => (received.push(req), { order }) } }));
    return received;
  }

  const get = async (id: string, authorization?: string) =>
    app.inject({
      method: "GET",
      url: `/v1/riders/${id}/assignment`,
      headers: { authorization: authorization ?? (await bearer("r1", "rider")) },
    });

  it("answers the order the calling rider carries, with its delivery point and without admin detail", async () => {
    const received = withAssignment(anOrder({ riderId: "r1", deliveryLocation: { lat: 52.5, lon: 13.4 } }));
    const res = await get("r1");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: "ord-1",
      status: "CONFIRMED",
      riderId: "r1",
      deliveryLocation: { lat: 52.5, lon: 13.4 },
    });
    expect(res.json<{ history: { detail?: string }[] }>().history[0]?.detail).toBeUndefined();
    expect(received).toEqual([{ riderId: "r1" }]);
  });

  it("answers 204 without a body when the rider carries no order", async () => {
    withAssignment(undefined);
    const res = await get("r1");
    expect({ status: res.statusCode, body: res.body }).toEqual({ status: 204, body: "" });
  });

  it("refuses another rider, a customer and an admin with 403, and anonymous callers with 401", async () => {
    const received = withAssignment(undefined);
    expectProblem(await get("r1", await bearer("r2", "rider")), 403, "FORBIDDEN");
    expectProblem(await get("r1", await bearer("r1", "customer")), 403, "FORBIDDEN");
    expectProblem(await get("r1", await bearer("boss", "admin")), 403, "FORBIDDEN");
    expectProblem(await app.inject({ method: "GET", url: "/v1/riders/r1/assignment" }), 401, "UNAUTHENTICATED");
    expect(received).toEqual([]);
  });
});

describe("GET /v1/riders/nearby", () => {
  /** The app with Nearby answering `riders`, and every request it received. */
  function withNearby(riders: riderV1.NearbyRider[] = [], nearby?: RiderCalls["nearby"]) {
    const received: riderV1.NearbyRequest[] = [];
    app = testApp(fakeUpstreams({ rider: { nearby: nearby ?? (async (req) => (received.push(req), { riders })) } }));
    return received;
  }

  const get = async (query: string, authorization?: string) =>
    app.inject({
      method: "GET",
      url: `/v1/riders/nearby?${query}`,
      headers: { authorization: authorization ?? (await bearer("boss", "admin")) },
    });

  it("lists riders as the rider service orders them, nearest first", async () => {
    const received = withNearby([
      { riderId: "r2", distanceKm: 0.25 },
      { riderId: "r1", distanceKm: 1.5 },
      { riderId: "r3", distanceKm: 4.75 },
    ]);
    const res = await get("lat=52.52&lon=13.405&radiusKm=2.5&limit=3");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        { riderId: "r2", distanceKm: 0.25 },
        { riderId: "r1", distanceKm: 1.5 },
        { riderId: "r3", distanceKm: 4.75 },
      ],
    });
    expect(received).toEqual([{ lat: 52.52, lon: 13.405, radiusKm: 2.5, limit: 3 }]);
  });

  it("searches 5 km for 20 riders by default, and answers no riders with an empty list", async () => {
    const received = withNearby();
    const res = await get("lat=-33.8688&lon=151");
    expect(res.json()).toEqual({ items: [] });
    expect(received).toEqual([{ lat: -33.8688, lon: 151, radiusKm: 5, limit: 20 }]);
  });

  it("accepts the edges of every range", async () => {
    const received = withNearby();
    for (const query of [
      "lat=90&lon=180&radiusKm=50&limit=100",
      "lat=-90&lon=-180&radiusKm=0.001&limit=1",
      "lat=0&lon=-0.5&radiusKm=50.000",
    ]) {
      expect((await get(query)).statusCode, query).toBe(200);
    }
    expect(received.map((r) => [r.lat, r.lon, r.radiusKm, r.limit])).toEqual([
      [90, 180, 50, 100],
      [-90, -180, 0.001, 1],
      [0, -0.5, 50, 20],
    ]);
  });

  it("is for admins only", async () => {
    const received = withNearby();
    expectProblem(await get("lat=1&lon=2", await bearer("r1", "rider")), 403, "FORBIDDEN");
    expectProblem(await get("lat=1&lon=2", await bearer("alice", "customer")), 403, "FORBIDDEN");
    expectProblem(await app.inject({ method: "GET", url: "/v1/riders/nearby?lat=1&lon=2" }), 401, "UNAUTHENTICATED");
    expect(received).toEqual([]);
  });

  describe("refuses bad input with 400 VALIDATION_FAILED before calling upstream", () => {
    it.each([
      ["no lat", "lon=2"],
      ["no lon", "lat=1"],
      ["a latitude of 90.5", "lat=90.5&lon=0"],
      ["a latitude of -91", "lat=-91&lon=0"],
      ["a longitude of 180.01", "lat=0&lon=180.01"],
      ["a longitude of -181", "lat=0&lon=-181"],
      ["a radius of 0", "lat=0&lon=0&radiusKm=0"],
      ["a radius of 0.0", "lat=0&lon=0&radiusKm=0.0"],
      ["a negative radius", "lat=0&lon=0&radiusKm=-1"],
      ["a radius of 50.5", "lat=0&lon=0&radiusKm=50.5"],
      ["a radius of 1e1", "lat=0&lon=0&radiusKm=1e1"],
      ["a limit of 0", "lat=0&lon=0&limit=0"],
      ["a limit of 101", "lat=0&lon=0&limit=101"],
      ["a fractional limit", "lat=0&lon=0&limit=2.5"],
      ["NaN", "lat=NaN&lon=0"],
      ["Infinity", "lat=0&lon=Infinity"],
      ["an empty value", "lat=&lon=0"],
      ["a hex number", "lat=0x10&lon=0"],
      ["a leading plus", "lat=%2B1&lon=0"],
      ["a trailing dot", "lat=1.&lon=0"],
      ["a space", "lat=%201&lon=0"],
      ["a repeated parameter", "lat=1&lat=2&lon=0"],
      ["an unknown parameter", "lat=1&lon=2&cursor=x"],
    ])("%s", async (_, query) => {
      const received = withNearby();
      expect(expectProblem(await get(query), 400, "VALIDATION_FAILED").detail).toMatch(/^querystring/);
      expect(received).toEqual([]);
    });

    it("names the field and its range", async () => {
      withNearby();
      expect(expectProblem(await get("lat=91&lon=0"), 400, "VALIDATION_FAILED").detail).toBe(
        "querystring/lat must be a number from -90 to 90",
      );
      expect(expectProblem(await get("lat=0&lon=0&radiusKm=0"), 400, "VALIDATION_FAILED").detail).toBe(
        "querystring/radiusKm must be a number above 0 to 50",
      );
    });
  });

  it("passes the rider service's refinements and outages through the problem table", async () => {
    withNearby([], () =>
      Promise.reject(
        new RemoteError("invalid", "INVALID_LOCATION", "lat must be within ±85.05112878", status.INVALID_ARGUMENT),
      ),
    );
    expectProblem(await get("lat=89&lon=0"), 400, "INVALID_LOCATION");
    await app.close();
    withNearby([], () =>
      Promise.reject(new RemoteError("unavailable", "REDIS_UNAVAILABLE", "redis is unavailable", status.UNAVAILABLE)),
    );
    expect((await get("lat=1&lon=0")).headers["retry-after"]).toBe("1");
  });
});
