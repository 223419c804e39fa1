import { Metadata, status, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { paymentV1 } from "@qc/contracts";
import { describe, expect, it } from "vitest";
import { createGrpcClient } from "../grpc/client";
import { startGrpcServer } from "../grpc/server";
import { fromServiceError } from "../grpc/status";
import { plaintextTransport } from "../grpc/tls";
import { AppError } from "../errors";
import { BreakerRegistry, ResilientTarget } from "../resilience";
import { observeBreakers } from "./breaker.metrics";
import { Metrics } from "./metrics";
import { METRICS_DISABLED, serveMetrics } from "./metrics-server";
import { parsePrometheusText } from "../testing/prometheus-text";

const definition = paymentV1.PaymentServiceService;

describe("rpc_server_duration_seconds", () => {
  it("counts every call by gRPC service, method and status code", async () => {
    const metrics = new Metrics("payment");
    let refuse = false;
    const implementation: UntypedServiceImplementation = {
      getWallet: (_call: unknown, callback: (err: { code: number; details: string } | null, res?: unknown) => void) =>
        refuse
          ? callback({ code: 5, details: "no wallet" })
          : callback(null, { wallet: { customerId: "a", balanceCents: 0, currency: "EUR" } }),
    };
    const server = await startGrpcServer([{ definition, implementation }], "127.0.0.1", 0, {
      transport: plaintextTransport,
      metrics,
    });
    const resilience = new ResilientTarget("test", "payment", {
      timeoutMs: 2_000,
      breakerThreshold: 100,
      halfOpenAfterMs: 1_000,
      retryAttempts: 1,
      retryInitialDelayMs: 1,
    });
    const client = createGrpcClient(definition, `127.0.0.1:${server.port}`, {
      transport: plaintextTransport,
      resilience,
      retrySafe: [],
    });
    try {
      await client.call.getWallet({ customerId: "a", currency: "" });
      await client.call.getWallet({ customerId: "a", currency: "" });
      refuse = true;
      await expect(client.call.getWallet({ customerId: "a", currency: "" })).rejects.toBeInstanceOf(AppError);
    } finally {
      client.close();
      await server.stop(100);
    }
    const scrape = parsePrometheusText(await metrics.text());
    const labels = { service: "qc.payment.v1.PaymentService", method: "GetWallet" };
    expect(scrape.value("rpc_server_duration_seconds_count", { ...labels, code: "OK" })).toBe(2);
    expect(scrape.value("rpc_server_duration_seconds_count", { ...labels, code: "NOT_FOUND" })).toBe(1);
    expect(scrape.families.get("rpc_server_duration_seconds")?.type).toBe("histogram");
  });
});

describe("circuit breaker metrics", () => {
  it("shows each breaker's state (0 closed, 1 half-open, 2 open) and counts its transitions", async () => {
    const metrics = new Metrics("order");
    const breakers = new BreakerRegistry();
    const target = breakers.add(
      new ResilientTarget("order", "inventory", {
        timeoutMs: 100,
        breakerThreshold: 2,
        halfOpenAfterMs: 50,
        retryAttempts: 1,
        retryInitialDelayMs: 1,
      }),
    );
    observeBreakers(metrics, breakers);
    const before = parsePrometheusText(await metrics.text());
    expect(before.value("circuit_breaker_state", { caller: "order", target: "inventory" })).toBe(0);
    expect(
      before.value("circuit_breaker_transitions_total", { caller: "order", target: "inventory", state: "open" }),
    ).toBe(0);

    const down = () =>
      Promise.reject(
        fromServiceError(
          Object.assign(new Error("down"), { code: status.UNAVAILABLE, details: "down", metadata: new Metadata() }),
        ),
      );
    for (let i = 0; i < 2; i++) await target.execute(down, false).catch(() => undefined);
    const open = parsePrometheusText(await metrics.text());
    expect(open.value("circuit_breaker_state", { caller: "order", target: "inventory" })).toBe(2);
    expect(
      open.value("circuit_breaker_transitions_total", { caller: "order", target: "inventory", state: "open" }),
    ).toBe(1);

    await new Promise((r) => setTimeout(r, 60));
    await target.execute(async () => "ok", false);
    const closed = parsePrometheusText(await metrics.text());
    expect(closed.value("circuit_breaker_state", { caller: "order", target: "inventory" })).toBe(0);
    expect(
      closed.value("circuit_breaker_transitions_total", { caller: "order", target: "inventory", state: "half-open" }),
    ).toBe(1);
    expect(
      closed.value("circuit_breaker_transitions_total", { caller: "order", target: "inventory", state: "closed" }),
    ).toBe(1);
  });

  it("takes a registry without state-change events (a test double) for the gauge alone", async () => {
    const metrics = new Metrics("gateway");
    observeBreakers(metrics, { list: () => [{ caller: "gateway", target: "order", state: "half-open" }] });
    expect(parsePrometheusText(await metrics.text()).value("circuit_breaker_state", { target: "order" })).toBe(1);
  });
});

describe("the /metrics listener", () => {
  it("serves the Prometheus text with runtime metrics on a free port, and 404 elsewhere", async () => {
    const metrics = new Metrics("payment");
    metrics
      .counter({ name: "things_total", help: "Things.", labelNames: ["kind"] })
      .inc({ kind: 'a "quoted"\nvalue' }, 3);
    const endpoint = await serveMetrics(metrics, { host: "127.0.0.1", port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${endpoint.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      const scrape = parsePrometheusText(await res.text());
      expect(scrape.value("things_total", { kind: 'a "quoted"\nvalue' })).toBe(3);
      expect(scrape.families.has("process_cpu_user_seconds_total")).toBe(true);
      expect(scrape.families.has("nodejs_eventloop_lag_seconds")).toBe(true);
      expect((await fetch(`http://127.0.0.1:${endpoint.port}/`)).status).toBe(404);
    } finally {
      await endpoint.close();
    }
  });

  it("serves nothing with METRICS_PORT=-1", async () => {
    const endpoint = await serveMetrics(new Metrics("payment"), { host: "127.0.0.1", port: METRICS_DISABLED });
    expect(endpoint.port).toBeNull();
    await endpoint.close();
  });
});

describe("the strict Prometheus text parser", () => {
  it("refuses malformed expositions", () => {
    expect(() => parsePrometheusText("x 1\n")).toThrow(/no # TYPE/);
    expect(() => parsePrometheusText("# TYPE x counter\nx{a=1} 1\n")).toThrow(/not quoted/);
    expect(() => parsePrometheusText("# TYPE x counter\nx one\n")).toThrow(/bad value/);
    expect(() => parsePrometheusText("# TYPE x counter\nx 1")).toThrow(/newline/);
    expect(() =>
      parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    ).toThrow(/not increasing/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n')).toThrow(
      /_count/,
    );
  });
});
