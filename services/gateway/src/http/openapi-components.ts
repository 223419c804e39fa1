import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import type { TSchema } from "typebox";
import { CircuitBreakersSchema, CreditBodySchema, DeadLetterSchema, WalletSchema } from "./admin.schema";
import { DevTokenBodySchema, DevTokenSchema } from "./dev.schema";
import { openApiOptions } from "./openapi";
import { CreateOrderBodySchema, OrderPageSchema, OrderSchema, OrderStatusSchema } from "./order.schema";
import { ProblemSchema } from "./problem.schema";
import { CreateProductBodySchema, ProductPageSchema, ProductSchema, RestockBodySchema } from "./product.schema";
import { AuthConfigSchema } from "./auth-config.schema";
import { LocationBodySchema, NearbyRidersSchema, RiderPositionsSchema } from "./rider.schema";

const anOrder = {
  id: "3f0c9c1e-8a4b-4f7e-9d2a-6b1c0e5d7a21",
  customerId: "alice",
  status: "CONFIRMED",
  items: [{ sku: "banana", quantity: 2, priceCents: 35 }],
  totalCents: 70,
  currency: "EUR",
  createdAt: "2026-01-01T10:00:00.000Z",
  updatedAt: "2026-01-01T10:00:00.120Z",
  history: [
    {
      step: "order",
      outcome: "created",
      code: "ORDER_CREATED",
      message: "The order was received.",
      at: "2026-01-01T10:00:00.000Z",
    },
    {
      step: "saga",
      outcome: "confirmed",
      code: "ORDER_CONFIRMED",
      message: "The order is confirmed.",
      at: "2026-01-01T10:00:00.120Z",
    },
  ],
};
const aProduct = { sku: "banana", name: "Banana", priceCents: 35, currency: "EUR", stock: 120 };

/**
 * The schemas the OpenAPI document names under `components.schemas`, each with an example: what a
 * client generator turns into named types (`components["schemas"]["Order"]`). Routes keep declaring
 * their schemas inline (typed by the type provider); the document refers to these names wherever one
 * of them appears (see `nameComponents`).
 */
const NAMED: Readonly<Record<string, { readonly schema: TSchema; readonly example: unknown }>> = {
  Order: { schema: OrderSchema, example: anOrder },
  OrderStatus: { schema: OrderStatusSchema, example: "CONFIRMED" },
  OrderPage: { schema: OrderPageSchema, example: { items: [anOrder], nextCursor: null } },
  CreateOrderBody: {
    schema: CreateOrderBodySchema,
    example: { items: [{ sku: "banana", quantity: 2 }], deliveryLocation: { lat: 52.52, lon: 13.405 } },
  },
  Product: { schema: ProductSchema, example: aProduct },
  ProductPage: {
    schema: ProductPageSchema,
    example: { items: [aProduct], nextCursor: "MTcwMDAwMDAwMDAwMDAwMDpiYW5hbmE" },
  },
  CreateProductBody: { schema: CreateProductBodySchema, example: aProduct },
  RestockBody: { schema: RestockBodySchema, example: { quantity: 50 } },
  Problem: {
    schema: ProblemSchema,
    example: {
      type: "urn:qc:problem:out-of-stock",
      title: "Conflict",
      status: 409,
      code: "OUT_OF_STOCK",
      detail: "Not enough stock for every item of the order.",
      instance: "/v1/orders",
    },
  },
  CreditBody: { schema: CreditBodySchema, example: { amountCents: 10_000, currency: "EUR" } },
  Wallet: { schema: WalletSchema, example: { customerId: "alice", currency: "EUR", balanceCents: 10_000 } },
  DeadLetter: {
    schema: DeadLetterSchema,
    example: {
      id: "dl-1",
      orderId: anOrder.id,
      step: "AddStock",
      error: "SERVICE_UNAVAILABLE",
      attempts: 3,
      status: "open",
      createdAt: "2026-01-01T10:00:01.000Z",
      updatedAt: "2026-01-01T10:00:05.000Z",
    },
  },
  CircuitBreakers: {
    schema: CircuitBreakersSchema,
    example: { items: [{ caller: "gateway", target: "order", state: "closed" }] },
  },
  RiderLocationBody: { schema: LocationBodySchema, example: { lat: 52.521, lon: 13.41, available: true } },
  NearbyRiders: { schema: NearbyRidersSchema, example: { items: [{ riderId: "rider-1", distanceKm: 0.4 }] } },
  RiderPositions: {
    schema: RiderPositionsSchema,
    example: {
      items: [
        {
          riderId: "rider-1",
          lat: 52.5219,
          lon: 13.4132,
          available: true,
          busy: true,
          orderId: anOrder.id,
          seenAt: "2026-01-01T10:00:05.000Z",
        },
        {
          riderId: "rider-2",
          lat: 52.53,
          lon: 13.4,
          available: false,
          busy: false,
          seenAt: "2026-01-01T10:00:02.000Z",
        },
      ],
    },
  },
  AuthConfig: {
    schema: AuthConfigSchema,
    example: { oidc: { issuer: "https://id.example.com/realms/qc", clientId: "qc-web", scope: "openid" } },
  },
  DevTokenBody: { schema: DevTokenBodySchema, example: { subject: "alice", role: "customer" } },
  DevToken: { schema: DevTokenSchema, example: { token: "eyJhbGciOiJIUzI1NiJ9.…" } },
};

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

const isObject = (value: Json): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A schema's identity: its JSON with keys sorted, its own description left out (a route may describe it in its own words). */
function identity(schema: JsonObject): string {
  const sorted = (value: Json): Json =>
    Array.isArray(value)
      ? value.map(sorted)
      : isObject(value)
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, sorted(value[k] ?? null)]),
          )
        : value;
  const { description: _ignored, ...rest } = schema;
  return JSON.stringify(sorted(rest));
}

const asJson = (schema: TSchema): JsonObject => JSON.parse(JSON.stringify(schema)) as JsonObject;

/** `node` with every schema inside it that is a named one replaced by a reference to that name (`node` itself too unless `keep`). */
function refer(node: Json, names: ReadonlyMap<string, string>, keep = false): Json {
  if (Array.isArray(node)) return node.map((n: Json) => refer(n, names));
  if (!isObject(node)) return node;
  const name = keep ? undefined : names.get(identity(node));
  if (name !== undefined)
    return {
      $ref: `#/components/schemas/${name}`,
      ...(typeof node.description === "string" && { description: node.description }),
    };
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, refer(v, names)]));
}

/**
 * The document with the named schemas under `components.schemas` (with their examples), and a `$ref`
 * to them wherever they appear in it, their own definitions included (an OrderPage's items are Orders).
 */
export function nameComponents<D extends { readonly components?: object }>(document: D): D {
  const names = new Map(Object.entries(NAMED).map(([name, { schema }]) => [identity(asJson(schema)), name]));
  const schemas = Object.fromEntries(
    Object.entries(NAMED).map(([name, { schema, example }]) => {
      const own = refer(asJson(schema), names, true);
      return [name, isObject(own) ? { ...own, examples: [example as Json] } : own];
    }),
  );
  const referred = refer(JSON.parse(JSON.stringify(document)) as Json, names) as JsonObject;
  const components = isObject(referred.components ?? null) ? (referred.components as JsonObject) : {};
  return { ...referred, components: { ...components, schemas } } as unknown as D;
}

/** The gateway's OpenAPI options: the document with named components. */
export const openApiDocumentOptions: FastifyDynamicSwaggerOptions = {
  ...openApiOptions,
  // This document is OpenAPI (openapi.ts), never Swagger 2.
  transformObject: (document) =>
    "openapiObject" in document ? nameComponents(document.openapiObject) : document.swaggerObject,
};
