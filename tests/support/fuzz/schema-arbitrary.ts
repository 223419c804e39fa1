import fc from "fast-check";
import type { JsonSchema } from "./openapi";

/**
 * Generators from JSON Schema: `valid` values the schema accepts, `nearValid` ones that break exactly
 * one of its rules (the edges a validator gets wrong), and `hostile` ones that break all of them.
 */

/** Known values for a property or parameter name (existing skus, ids): valid values mostly use them, so requests get past "not found". */
export type Hints = (name: string) => fc.Arbitrary<unknown> | undefined;

const noHints: Hints = () => undefined;

/** Bounds kept small: a valid body of 50 lines of 64-char skus is no more interesting than one of 5. */
const MAX_ARRAY = 5;
const MAX_STRING = 40;

export function valid(schema: JsonSchema, hints: Hints = noHints, name = ""): fc.Arbitrary<unknown> {
  const hinted = hints(name);
  const plain = validPlain(schema, hints);
  return hinted ? fc.oneof({ arbitrary: hinted, weight: 3 }, { arbitrary: plain, weight: 1 }) : plain;
}

function validPlain(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => valid(s, hints)));
  switch (schema.type) {
    case "object": {
      const props = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props)) model[key] = valid(sub, hints, key);
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    }
    case "array": {
      const minLength = schema.minItems ?? 0;
      return fc.array(valid(schema.items ?? {}, hints), {
        minLength,
        maxLength: Math.max(minLength, Math.min(schema.maxItems ?? MAX_ARRAY, MAX_ARRAY)),
      });
    }
    case "string": {
      if (schema.pattern !== undefined) {
        const max = schema.maxLength ?? Number.POSITIVE_INFINITY;
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= max);
      }
      const minLength = schema.minLength ?? 0;
      return fc.string({
        minLength,
        maxLength: Math.max(minLength, Math.min(schema.maxLength ?? MAX_STRING, MAX_STRING)),
      });
    }
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case "number":
      return fc.double({
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue();
  }
}

const wrongType = (schema: JsonSchema): fc.Arbitrary<unknown> =>
  fc.constantFrom<unknown>(...[null, "1", 1, 1.5, true, [], {}].filter((v) => typeOf(v) !== schema.type));

function typeOf(v: unknown): JsonSchema["type"] {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v as JsonSchema["type"];
}

/** A value the schema refuses for exactly one reason. */
export function nearValid(schema: JsonSchema, hints: Hints = noHints): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [wrongType(schema)];
  switch (schema.type) {
    case "object": {
      const props = schema.properties ?? {};
      const base = valid(schema, hints) as fc.Arbitrary<Record<string, unknown>>;
      for (const key of schema.required ?? []) options.push(base.map(({ [key]: _dropped, ...rest }) => rest));
      if (schema.additionalProperties === false) {
        options.push(
          fc
            .tuple(base, fc.constantFrom("extra", "__proto__", "constructor", "Items", "sku "))
            .map(([v, k]) => ({ ...v, [k]: 1 })),
        );
      }
      for (const [key, sub] of Object.entries(props))
        options.push(fc.tuple(base, nearValid(sub, hints)).map(([v, bad]) => ({ ...v, [key]: bad })));
      break;
    }
    case "array": {
      const item = valid(schema.items ?? {}, hints);
      if ((schema.minItems ?? 0) > 0) options.push(fc.constant([]));
      if (schema.maxItems !== undefined)
        options.push(item.map((v) => Array.from({ length: (schema.maxItems ?? 0) + 1 }, () => v)));
      options.push(
        fc
          .tuple(fc.array(item, { maxLength: 2 }), nearValid(schema.items ?? {}, hints))
          .map(([ok, bad]) => [...ok, bad]),
      );
      break;
    }
    case "string": {
      const min = schema.minLength ?? 0;
      if (min > 0) options.push(fc.constant("x".repeat(min - 1)));
      if (schema.maxLength !== undefined) options.push(fc.constant("a".repeat(schema.maxLength + 1)));
      if (schema.pattern !== undefined) {
        const pattern = new RegExp(schema.pattern);
        options.push(
          fc
            .oneof(
              fc.string({ maxLength: 12 }),
              fc.constantFrom(" ", "-", "a b", "é", "a/b", "a%2Fb", "1e5", "+1", "NaN"),
            )
            .filter((s) => !pattern.test(s)),
        );
      }
      break;
    }
    case "integer":
    case "number": {
      if (schema.minimum !== undefined)
        options.push(fc.constant(schema.minimum - (schema.type === "integer" ? 1 : 0.000001)));
      if (schema.maximum !== undefined)
        options.push(fc.constant(schema.maximum + (schema.type === "integer" ? 1 : 0.000001)));
      if (schema.type === "integer") options.push(fc.constantFrom(1.5, 2 ** 53 + 2, 1e300, -0.5));
      break;
    }
  }
  return fc.oneof(...options);
}

/** Strings that attack parsers, routers and SQL rather than a schema. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom(
    "",
    "..",
    "../../etc/passwd",
    "' OR 1=1 --",
    "%00",
    "\u0000",
    "null",
    "undefined",
    "__proto__",
    "constructor",
    "💥".repeat(20),
    "\uD800",
    "a".repeat(600),
    "99999999999999999999",
    "-1",
    "0x10",
    "${jndi:ldap://x}",
  ),
);

/** JSON values no schema here accepts, including prototype pollution and deep nesting. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  hostileString,
  fc.constantFrom<unknown>(
    JSON.parse('{"__proto__":{"admin":true},"items":[{"sku":"a","quantity":1}]}'),
    { constructor: { prototype: { role: "admin" } } },
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
  ),
  fc.integer({ min: 1, max: 2_000 }).map((depth) => JSON.parse("[".repeat(depth) + "]".repeat(depth)) as unknown),
);
