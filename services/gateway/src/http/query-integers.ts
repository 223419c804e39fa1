import type { FastifyInstance, FastifyRequest } from "fastify";

/** The part of a route's querystring schema this reads: which parameters are integers. */
interface QuerySchema {
  readonly properties: Readonly<Record<string, { readonly type?: unknown }>>;
}

const isQuerySchema = (schema: unknown): schema is QuerySchema =>
  typeof schema === "object" && schema !== null && typeof (schema as { properties?: unknown }).properties === "object";

/** An integer as a client writes it in a URL: no sign `+`, no leading zeros, no exponent, no fraction. */
const CANONICAL_INTEGER = /^-?(?:0|[1-9][0-9]{0,14})$/;

/**
 * Query values arrive as text, and the validator never coerces types (so a body's `"2"` is not
 * silently a 2). A query parameter its route declares an integer (`?limit=20`: one in the OpenAPI
 * document too, as a generated client sends it) is therefore turned into a number here, just before
 * validation, when it is an integer spelled canonically; anything else (`020`, `2e1`, `2.0`, a
 * repeated parameter) stays as it came and fails validation as no integer (400).
 */
export function installQueryIntegers(app: FastifyInstance): void {
  app.addHook("preValidation", async (request: FastifyRequest) => {
    const schema = request.routeOptions.schema?.querystring;
    const query = request.query as Record<string, unknown> | null;
    if (!isQuerySchema(schema) || query === null || typeof query !== "object") return;
    for (const [name, property] of Object.entries(schema.properties)) {
      const value = query[name];
      if (property.type === "integer" && typeof value === "string" && CANONICAL_INTEGER.test(value))
        query[name] = Number(value);
    }
  });
}
