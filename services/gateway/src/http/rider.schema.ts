import { Type, type Static } from "typebox";
import { subjectPattern } from "../auth/principal";

/** A rider's id is the `sub` of their token; the rider service may refine it (INVALID_RIDER_ID). */
export const RiderIdParamsSchema = Type.Object(
  { id: Type.String({ pattern: subjectPattern }) },
  { additionalProperties: false },
);

export const LocationBodySchema = Type.Object(
  {
    // The rider service refines lat to ±85.05112878 (what a geo index can hold): INVALID_LOCATION.
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    available: Type.Boolean({ description: "false takes the rider out of assignment until they send true again" }),
  },
  { additionalProperties: false },
);

/**
 * A decimal number in a query string, without exponent, sign `+`, `NaN` or `Infinity`. Query values
 * arrive as strings and are never coerced (see page.schema.ts), so the route parses them and checks
 * their range (see nearby-request.ts).
 */
const decimal = (description: string, defaultValue?: string) =>
  Type.String({
    pattern: "^-?[0-9]{1,3}(?:\\.[0-9]{1,15})?$",
    description,
    ...(defaultValue !== undefined && { default: defaultValue }),
  });

/** `?lat&lon&radiusKm&limit`; lat and lon are required. */
export const NearbyQuerySchema = Type.Object(
  {
    lat: decimal("latitude, -90 to 90"),
    lon: decimal("longitude, -180 to 180"),
    radiusKm: Type.Optional(decimal("search radius in km, above 0 and at most 50", "5")),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: "most riders listed" })),
  },
  { additionalProperties: false },
);
export type NearbyQuery = Static<typeof NearbyQuerySchema>;

export const NearbyRidersSchema = Type.Object({
  items: Type.Array(
    Type.Object({ riderId: Type.String(), distanceKm: Type.Number({ description: "from the given point" }) }),
    { description: "nearest first" },
  ),
});

export const RiderListQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: "most riders listed" })),
  },
  { additionalProperties: false },
);

export const RiderPositionsSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      riderId: Type.String(),
      lat: Type.Number(),
      lon: Type.Number(),
      available: Type.Boolean({ description: "what the rider last said about taking orders" }),
      busy: Type.Boolean({ description: "carrying an order (orderId)" }),
      orderId: Type.Optional(Type.String({ description: "the order the rider carries" })),
      seenAt: Type.String({ format: "date-time", description: "the rider's last location update" }),
    }),
    { description: "riders whose last location update is fresh, most recently seen first" },
  ),
});
