import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "./app";
import { fakeUpstreams } from "./testing/fake-upstreams";
import { bearer, expectNoStackTrace, expectProblem, testApp } from "./testing/test-app";

let app: GatewayApp;
afterEach(() => app.close());

describe("the gateway app", () => {
  it("answers an unknown route with a 404 problem", async () => {
    app = testApp(fakeUpstreams());
    expectProblem(await app.inject({ method: "GET", url: "/v1/nothing-here?x=1" }), 404, "NOT_FOUND");
    expectProblem(await app.inject({ method: "DELETE", url: "/v1/products" }), 404, "NOT_FOUND");
  });

  it("takes its body limit from the config", async () => {
    app = testApp(fakeUpstreams(), { BODY_LIMIT_BYTES: "100" });
    const res = await app.inject({
      method: "POST",
      url: "/v1/admin/products",
      headers: { authorization: await bearer("boss", "admin") },
      payload: { sku: "apple", name: "A".repeat(200), priceCents: 1, currency: "EUR", stock: 1 },
    });
    expectProblem(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("never answers with a stack trace, whatever breaks", async () => {
    app = testApp(
      fakeUpstreams({
        inventory: {
          listProducts: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'rows')")),
          // An upstream that breaks its contract: no product in the answer.
          getProduct: async () => ({ product: undefined }),
        },
      }),
    );
    for (const url of ["/v1/products", "/v1/products/apple"]) {
      const res = await app.inject({ method: "GET", url });
      expect(expectProblem(res, 500, "INTERNAL").detail).not.toMatch(/rows|product/);
      expectNoStackTrace(res.body);
    }
  });

  describe("OpenAPI", () => {
    const routes = [
      // [method, path, the roles its bearer token may carry (none: open to anyone)]
      ["get", "/healthz", []],
      ["get", "/readyz", []],
      ["get", "/v1/products", []],
      ["get", "/v1/products/{sku}", []],
      ["post", "/v1/orders", ["customer"]],
      ["get", "/v1/orders", ["customer"]],
      ["get", "/v1/orders/{id}", ["customer", "admin"]],
      ["get", "/v1/orders/{id}/events", ["customer", "admin"]],
      ["post", "/v1/orders/{id}/delivered", ["rider"]],
      ["put", "/v1/riders/{id}/location", ["rider"]],
      ["get", "/v1/riders/{id}/assignment", ["rider"]],
      ["get", "/v1/riders/nearby", ["admin"]],
      ["get", "/v1/admin/riders", ["admin"]],
      ["get", "/v1/admin/orders", ["admin"]],
      ["post", "/v1/admin/products", ["admin"]],
      ["post", "/v1/admin/products/{sku}/restock", ["admin"]],
      ["post", "/v1/admin/wallets/{customerId}/credit", ["admin"]],
      ["get", "/v1/admin/dead-letters", ["admin"]],
      ["post", "/v1/admin/dead-letters/{id}/replay", ["admin"]],
      ["get", "/v1/admin/circuit-breakers", ["admin"]],
      ["get", "/v1/auth/config", []],
    ] as const;

    interface Operation {
      responses: Record<string, { content?: Record<string, unknown> }>;
      security?: unknown;
    }
    interface Document {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, unknown> };
    }

    it("serves a document at /docs/json listing every route with its responses", async () => {
      app = testApp(fakeUpstreams());
      const res = await app.inject({ method: "GET", url: "/docs/json" });
      expect(res.statusCode).toBe(200);
      const doc = res.json<Document>();
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
      const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      );
      expect(listed.sort()).toEqual(routes.map(([method, path]) => `${method} ${path}`).sort());
      for (const [method, path, roles] of routes) {
        const op = doc.paths[path]?.[method];
        const statuses = Object.keys(op?.responses ?? {});
        expect(
          statuses.some((s) => s.startsWith("2")),
          `${method} ${path} success`,
        ).toBe(true);
        expect(op?.responses["500"]?.content).toHaveProperty(["application/problem+json"]);
        // OpenAPI 3.1 lets a non-OAuth requirement list the roles it needs: clients (and the fuzz suite) read them.
        expect(op?.security, `${method} ${path} security`).toEqual(
          roles.length === 0 ? undefined : [{ bearerAuth: roles }],
        );
      }
    });

    it("names every operation once and its shared schemas under components, with examples", async () => {
      app = testApp(fakeUpstreams());
      const doc = (await app.inject({ method: "GET", url: "/docs/json" })).json<{
        paths: Record<
          string,
          Record<
            string,
            {
              operationId?: string;
              parameters?: { name: string; schema: { type?: string } }[];
              responses: Record<string, unknown>;
            }
          >
        >;
        components: { schemas: Record<string, { examples?: unknown[] }> };
      }>();
      const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
      expect(
        ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id)),
        JSON.stringify(ids),
      ).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      for (const name of ["Order", "OrderPage", "Product", "Problem", "CreateOrderBody"]) {
        expect(doc.components.schemas[name]?.examples, name).toHaveLength(1);
      }
      const getOrder = doc.paths["/v1/orders/{id}"]?.get;
      expect(getOrder?.responses["200"]).toEqual({
        description: expect.any(String) as string,
        content: { "application/json": { schema: { $ref: "#/components/schemas/Order" } } },
      });
      expect(getOrder?.responses["404"]).toMatchObject({
        content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
      });
      // A page's size is an integer, as a generated client sends it.
      expect(doc.paths["/v1/orders"]?.get?.parameters?.find((p) => p.name === "limit")?.schema).toMatchObject({
        type: "integer",
        minimum: 1,
        maximum: 100,
      });
    });

    it("serves the UI at /docs", async () => {
      app = testApp(fakeUpstreams());
      const res = await app.inject({ method: "GET", url: "/docs/" });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/text\/html/);
    });
  });
});
