import { status } from "@grpc/grpc-js";
import { RemoteError } from "@qc/platform/grpc";
import { Metrics } from "@qc/platform/observability";
import { parsePrometheusText } from "@qc/platform/testing";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp, type GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { aProduct } from "../testing/fixtures";
import { testConfig } from "../testing/test-app";

let app: GatewayApp;
afterEach(() => app.close());

function withMetrics() {
  const metrics = new Metrics("gateway");
  app = buildApp(testConfig(), {
    metrics,
    upstreams: fakeUpstreams({
      inventory: {
        getProduct: async ({ sku }) => {
          if (sku === "apple") return { product: aProduct() };
          throw new RemoteError("not_found", "PRODUCT_NOT_FOUND", `no product ${sku}`, status.NOT_FOUND);
        },
      },
    }),
  });
  return metrics;
}

describe("gateway request metrics and trace ids", () => {
  it("counts requests by route pattern, method and status, never by URL", async () => {
    const metrics = withMetrics();
    expect((await app.inject({ method: "GET", url: "/v1/products/apple" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/v1/products/kiwi" })).statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: "/v1/no/such/path/123" })).statusCode).toBe(404); // under the API: never the web app
    const scrape = parsePrometheusText(await metrics.text());
    expect(
      scrape.value("http_server_duration_seconds_count", { route: "/v1/products/:sku", method: "GET", status: "200" }),
    ).toBe(1);
    expect(
      scrape.value("http_server_duration_seconds_count", { route: "/v1/products/:sku", method: "GET", status: "404" }),
    ).toBe(1);
    expect(
      scrape.value("http_server_duration_seconds_count", { route: "unmatched", method: "GET", status: "404" }),
    ).toBe(1);
    const routes = scrape.families.get("http_server_duration_seconds")?.samples.map((s) => s.labels.route) ?? [];
    expect(routes.some((r) => r?.includes("apple") || r?.includes("kiwi") || r?.includes("123"))).toBe(false);
  });

  it("answers every request, errors included, with its W3C trace id (the caller's when it sends one)", async () => {
    withMetrics();
    const fresh = await app.inject({ method: "GET", url: "/v1/products/kiwi" });
    expect(fresh.headers["x-trace-id"]).toMatch(/^[\da-f]{32}$/);
    const joined = await app.inject({
      method: "GET",
      url: "/healthz",
      headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    });
    expect(joined.headers["x-trace-id"]).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    // With tracing off there is no span, so no traceparent to answer with.
    expect(joined.headers.traceparent).toBeUndefined();
  });

  it("exports the gateway's circuit breakers", async () => {
    const metrics = withMetrics();
    const scrape = parsePrometheusText(await metrics.text());
    expect(scrape.families.get("circuit_breaker_state")?.type).toBe("gauge");
  });
});
