/**
 * The part of the gateway's OpenAPI 3.1 document the fuzz suite reads: every operation with its
 * parameters, JSON body and the roles its bearer token may carry. Schemas are JSON Schema, with the
 * document's named ones (`$ref: #/components/schemas/…`) put back in place, which `schema-arbitrary.ts`
 * turns into generators.
 */
export interface JsonSchema {
  readonly type?: "object" | "array" | "string" | "integer" | "number" | "boolean" | "null";
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly anyOf?: readonly JsonSchema[];
}

export type ParameterLocation = "path" | "query" | "header";

export interface Parameter {
  readonly name: string;
  readonly in: ParameterLocation;
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface Operation {
  readonly method: string;
  /** As the document spells it, e.g. `/v1/orders/{id}`. */
  readonly path: string;
  readonly parameters: readonly Parameter[];
  /** The application/json request body, when the operation takes one. */
  readonly body: JsonSchema | null;
  /** Roles a token must carry; null when the route is open to anyone. */
  readonly roles: readonly string[] | null;
}

interface RawOperation {
  readonly parameters?: readonly { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  readonly requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  readonly security?: readonly Record<string, readonly string[]>[];
}

interface RawDocument {
  readonly paths: Record<string, Record<string, RawOperation>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, unknown>> };
}

/** `value` with every `{$ref: "#/components/schemas/Name"}` replaced by that schema (the gateway's have no cycles). */
function inlineRefs<T>(value: T, doc: RawDocument): T {
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (typeof node !== "object" || node === null) return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === "string") {
      const target = doc.components?.schemas?.[ref.replace("#/components/schemas/", "")];
      if (target === undefined) throw new Error(`unresolved ${ref}`);
      return resolve(target);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve(value) as T;
}

const METHODS = new Set(["get", "put", "post", "delete", "patch"]);
const isLocation = (where: string): where is ParameterLocation =>
  where === "path" || where === "query" || where === "header";

/** Every operation of the document, in the document's order. */
export function operationsOf(doc: RawDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, byMethod] of Object.entries(inlineRefs(doc.paths, doc))) {
    for (const [method, raw] of Object.entries(byMethod)) {
      if (!METHODS.has(method)) continue;
      const parameters = (raw.parameters ?? []).flatMap((p) =>
        isLocation(p.in)
          ? [{ name: p.name, in: p.in, required: p.required ?? p.in === "path", schema: p.schema ?? {} }]
          : [],
      );
      const body = raw.requestBody?.content?.["application/json"]?.schema ?? null;
      const roles = raw.security ? raw.security.flatMap((requirement) => requirement.bearerAuth ?? []) : null;
      operations.push({ method: method.toUpperCase(), path, parameters, body, roles });
    }
  }
  return operations;
}

/** Fetches the document from a running gateway. */
export async function fetchOperations(gatewayUrl: string): Promise<Operation[]> {
  const res = await fetch(`${gatewayUrl}/docs/json`);
  if (!res.ok) throw new Error(`GET /docs/json answered ${res.status}`);
  return operationsOf((await res.json()) as RawDocument);
}
