import fc from "fast-check";
import type { Operation, Parameter } from "./openapi";
import { hostileJson, hostileString, nearValid, valid, type Hints } from "./schema-arbitrary";
import type { TokenSet } from "./tokens";

/** One generated request, printable as the counterexample fast-check reports. */
export interface FuzzCase {
  /** `POST /v1/orders` as the document names it, or `unknown route`. */
  readonly operation: string;
  /** valid: every part as the document says; near-valid: one part breaks one rule; hostile: several parts are attacks. */
  readonly flavor: "valid" | "near-valid" | "hostile";
  readonly method: string;
  /** Path and query, percent-encoded where a client would encode. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/** The parts of a request before they are put on the wire. */
interface Parts {
  readonly path: readonly string[];
  readonly query: readonly (readonly [string, string])[];
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: string | undefined;
  readonly body: string | undefined;
}

/** One change to a request's parts: what breaks it. */
type Perturbation =
  | { readonly part: "path"; readonly index: number; readonly value: string }
  | { readonly part: "query"; readonly pairs: readonly (readonly [string, string])[] }
  | { readonly part: "header"; readonly name: string; readonly value: string | undefined }
  | { readonly part: "auth"; readonly value: string | undefined }
  | { readonly part: "body"; readonly value: string | undefined; readonly contentType: string | undefined };

export interface CaseContext {
  readonly tokens: TokenSet;
  /** Known values by operation and name (skus, order ids, subjects), see schema-arbitrary.ts `Hints`. */
  readonly hints: (operation: Operation) => Hints;
}

const JSON_TYPE = "application/json";
const BODY_LIMIT = 65_536;

const asText = (v: unknown): string => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));
/** encodeURIComponent throws on a lone surrogate; a client would have sent U+FFFD. */
const encode = (s: string): string => encodeURIComponent(s.replace(/\p{Cs}/gu, "\uFFFD"));
/** Header values Node can send: no control characters but tab, nothing beyond Latin-1. */
const headerSafe = (s: string): string => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");

function validParts(op: Operation, ctx: CaseContext): fc.Arbitrary<Parts> {
  const hints = ctx.hints(op);
  const of = (where: Parameter["in"]) => op.parameters.filter((p) => p.in === where);
  const path = fc.tuple(...of("path").map((p) => valid(p.schema, hints, p.name).map(asText)));
  // An optional parameter is left out one time in two.
  const pair = (p: Parameter) => {
    const present = valid(p.schema, hints, p.name).map((v) => [p.name, asText(v)] as const);
    return p.required ? present : fc.option(present, { nil: undefined, freq: 2 });
  };
  const present = <T>(pairs: readonly (T | undefined)[]): T[] => pairs.filter((p) => p !== undefined);
  const query = fc.tuple(...of("query").map(pair)).map(present);
  const headers = fc
    .tuple(...of("header").map(pair))
    .map((pairs) => Object.fromEntries(present(pairs)) as Record<string, string>);
  const auth =
    op.roles === null
      ? fc.constant(undefined)
      : fc.constantFrom(...op.roles.flatMap((role) => ctx.tokens.valid[role] ?? []));
  const body = op.body === null ? fc.constant(undefined) : valid(op.body, hints).map((v) => JSON.stringify(v));
  return fc.record({ path, query, headers, auth, body });
}

function perturbation(op: Operation, ctx: CaseContext, hostile: boolean): fc.Arbitrary<Perturbation> {
  const hints = ctx.hints(op);
  const bad = (p: Parameter): fc.Arbitrary<string> =>
    hostile ? hostileString : nearValid(p.schema, hints).map(asText);
  const options: fc.Arbitrary<Perturbation>[] = [];
  op.parameters.forEach((p) => {
    if (p.in === "path") {
      const index = op.parameters.filter((q) => q.in === "path").indexOf(p);
      options.push(bad(p).map((value) => ({ part: "path" as const, index, value })));
    } else if (p.in === "header") {
      options.push(
        fc
          .option(bad(p).map(headerSafe), { nil: undefined })
          .map((value) => ({ part: "header" as const, name: p.name, value })),
      );
    }
  });
  const queryParams = op.parameters.filter((p) => p.in === "query");
  const key = fc.oneof(
    fc.constantFrom(...queryParams.map((p) => p.name), "extra", "__proto__"),
    hostile ? hostileString : fc.constant("limit"),
  );
  const value = fc.oneof(...queryParams.map(bad), hostile ? hostileString : fc.constant(""));
  // Missing, duplicated (an array to the validator), unknown or malformed values.
  options.push(fc.array(fc.tuple(key, value), { maxLength: 4 }).map((pairs) => ({ part: "query" as const, pairs })));
  const wrongRole = Object.entries(ctx.tokens.valid).flatMap(([role, values]) =>
    op.roles?.includes(role) ? [] : values,
  );
  const tokens = [...ctx.tokens.invalid, ...(op.roles === null ? [] : wrongRole)];
  options.push(
    fc
      .option(fc.constantFrom(...tokens), { nil: undefined, freq: 4 })
      .map((value) => ({ part: "auth" as const, value })),
  );
  options.push(body(op, hints, hostile));
  return fc.oneof(...options);
}

function body(op: Operation, hints: Hints, hostile: boolean): fc.Arbitrary<Perturbation> {
  const json = (v: fc.Arbitrary<unknown>) =>
    v.map((x) => ({ part: "body" as const, value: JSON.stringify(x) ?? "null", contentType: JSON_TYPE }));
  const near = op.body === null ? hostileJson : nearValid(op.body, hints);
  if (!hostile) return json(near);
  const raw = (value: fc.Arbitrary<string | undefined>, contentType: fc.Arbitrary<string | undefined>) =>
    fc.record({ part: fc.constant("body" as const), value, contentType });
  return fc.oneof(
    json(hostileJson),
    raw(fc.string({ unit: "binary", maxLength: 60 }), fc.constant(JSON_TYPE)),
    raw(
      fc.constantFrom('{"items":', "{'a':1}", "[1,]", '{"items":[],"items":[{"sku":"a","quantity":1}]}', ""),
      fc.constant(JSON_TYPE),
    ),
    raw(fc.constant(`{"pad":"${"x".repeat(BODY_LIMIT)}"}`), fc.constant(JSON_TYPE)),
    raw(
      near.map((v) => JSON.stringify(v) ?? ""),
      fc.constantFrom(
        undefined,
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=utf-16",
        "application/json-patch+json",
        "*/*",
        "application/jsonx",
      ),
    ),
  );
}

function apply(parts: Parts, change: Perturbation): Parts {
  switch (change.part) {
    case "path":
      return { ...parts, path: parts.path.map((v, i) => (i === change.index ? change.value : v)) };
    case "query":
      return { ...parts, query: [...parts.query, ...change.pairs] };
    case "header": {
      const { [change.name]: _replaced, ...rest } = parts.headers;
      return { ...parts, headers: change.value === undefined ? rest : { ...rest, [change.name]: change.value } };
    }
    case "auth":
      return { ...parts, auth: change.value };
    case "body":
      // An empty content-type stands for none: toCase leaves it out rather than defaulting to JSON.
      return { ...parts, body: change.value, headers: { ...parts.headers, "content-type": change.contentType ?? "" } };
  }
}

function toCase(op: Operation, flavor: FuzzCase["flavor"], parts: Parts): FuzzCase {
  let i = 0;
  // A raw `%` or `%zz` is kept as is (a malformed escape the router must refuse); anything else is encoded.
  const segment = (v: string) => (/^%[0-9A-Za-z]{0,2}$/.test(v) ? v : encode(v));
  const path = op.path.replace(/\{[^}]+\}/g, () => segment(parts.path[i++] ?? ""));
  const query = parts.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parts.headers)) if (value !== "") headers[name] = value;
  if (parts.body !== undefined && parts.headers["content-type"] === undefined) headers["content-type"] = JSON_TYPE;
  if (parts.auth !== undefined) headers.authorization = parts.auth;
  return {
    operation: `${op.method} ${op.path}`,
    flavor,
    method: op.method,
    url: query === "" ? path : `${path}?${query}`,
    headers,
    body: parts.body,
  };
}

/** Paths and methods the document does not list: the router's own refusals must be problems too. */
const unknownRoute: fc.Arbitrary<FuzzCase> = fc
  .record({
    method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
    segments: fc.array(
      fc.oneof(
        fc.constantFrom("v1", "orders", "admin", "products", "riders", "..", "%2e%2e", "docs"),
        hostileString.map(encode),
      ),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
  })
  .map(({ method, segments }) => ({
    operation: "unknown route",
    flavor: "hostile" as const,
    method,
    url: `/${segments.join("/")}`,
    headers: {},
    body: undefined,
  }));

/** Requests for every operation: about 45 % valid, 35 % near-valid, 15 % hostile, 5 % unknown routes. */
export function requestCase(operations: readonly Operation[], ctx: CaseContext): fc.Arbitrary<FuzzCase> {
  const perOperation = operations.map((op) =>
    fc.oneof(
      { weight: 9, arbitrary: validParts(op, ctx).map((parts) => toCase(op, "valid", parts)) },
      {
        weight: 7,
        arbitrary: fc
          .tuple(validParts(op, ctx), perturbation(op, ctx, false))
          .map(([parts, p]) => toCase(op, "near-valid", apply(parts, p))),
      },
      {
        weight: 3,
        arbitrary: fc
          .tuple(validParts(op, ctx), fc.array(perturbation(op, ctx, true), { minLength: 1, maxLength: 3 }))
          .map(([parts, ps]) => toCase(op, "hostile", ps.reduce(apply, parts))),
      },
    ),
  );
  return fc.oneof({ weight: 19, arbitrary: fc.oneof(...perOperation) }, { weight: 1, arbitrary: unknownRoute });
}
