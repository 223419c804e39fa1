import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metadata, UntypedServiceImplementation } from "@grpc/grpc-js";
import { paymentV1 } from "@qc/contracts";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Logger } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createGrpcClient } from "../grpc/client";
import { startGrpcServer, type RunningGrpcServer } from "../grpc/server";
import { plaintextTransport } from "../grpc/tls";
import { capturedLogger } from "../testing/log-capture";
import { ResilientTarget } from "../resilience";
import { nameHttpSpan, requestTraceId, traceHttpServer } from "./http-trace";
import {
  activeTracer,
  inSpan,
  startTracing,
  stopTracing,
  traceLogFields,
  tracingActive,
  tracingEndpoint,
} from "./tracing";

const definition = paymentV1.PaymentServiceService;
const resilience = () =>
  new ResilientTarget("test", "payment", {
    timeoutMs: 2_000,
    breakerThreshold: 100,
    halfOpenAfterMs: 1_000,
    retryAttempts: 1,
    retryInitialDelayMs: 1,
  });

/** A payment server whose GetWallet records the metadata it was called with and logs one line. */
async function walletServer(log: Logger) {
  const seen: Metadata[] = [];
  /** The span active in each call's handler. */
  const active: unknown[] = [];
  const implementation: UntypedServiceImplementation = {
    getWallet: (call: { metadata: Metadata }, callback: (err: null, res: unknown) => void) => {
      seen.push(call.metadata);
      active.push(trace.getSpan(context.active()));
      log.info("inside the handler");
      callback(null, { wallet: { customerId: "alice", balanceCents: 5, currency: "EUR" } });
    },
  };
  const server = await startGrpcServer([{ definition, implementation }], "127.0.0.1", 0, {
    transport: plaintextTransport,
  });
  const client = createGrpcClient(definition, `127.0.0.1:${server.port}`, {
    transport: plaintextTransport,
    resilience: resilience(),
    retrySafe: [],
  });
  return { server, client, seen, active };
}

let running: { server: RunningGrpcServer; client: { close(): void } } | null = null;
afterEach(async () => {
  running?.client.close();
  await running?.server.stop(100);
  running = null;
  await stopTracing();
});

describe("tracing settings", () => {
  it("is on only with an OTLP endpoint, and off when the SDK is disabled", () => {
    expect(tracingEndpoint({})).toBeNull();
    expect(tracingEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBeNull();
    expect(tracingEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe("http://collector:4318");
    expect(tracingEndpoint({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" })).toBe(
      "http://c:4318/v1/traces",
    );
    expect(tracingEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" })).toBeNull();
    expect(tracingEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_EXPORTER: "none" })).toBeNull();
  });
});

describe("with tracing off", () => {
  it("starts nothing, sends no trace context and logs no trace ids", async () => {
    expect(await startTracing({ serviceName: "test", env: {} })).toEqual({ enabled: false, databaseSpans: false });
    expect(tracingActive()).toBe(false);
    const { log, lines } = capturedLogger({ mixin: traceLogFields });
    const t = await walletServer(log);
    running = t;
    await inSpan("ignored", {}, () => t.client.call.getWallet({ customerId: "alice", currency: "" }));
    expect(t.seen[0]?.get("traceparent")).toEqual([]);
    expect(lines[0]).not.toHaveProperty("trace_id");
  });
});

describe("with tracing on", () => {
  it("links client and server spans across a gRPC call through traceparent metadata, and logs their ids", async () => {
    const exporter = new InMemorySpanExporter();
    await startTracing({ serviceName: "test", exporter, exportEachSpan: true });
    const { log, lines } = capturedLogger({ mixin: traceLogFields });
    const t = await walletServer(log);
    running = t;

    await inSpan("caller", { "order.id": "o-1" }, () => t.client.call.getWallet({ customerId: "alice", currency: "" }));

    const spans = exporter.getFinishedSpans();
    const caller = spans.find((s) => s.name === "caller");
    const client = spans.find((s) => s.kind === SpanKind.CLIENT);
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(client?.name).toBe("qc.payment.v1.PaymentService/GetWallet");
    expect(server?.name).toBe("qc.payment.v1.PaymentService/GetWallet");
    expect(server?.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.service": "qc.payment.v1.PaymentService",
      "rpc.method": "GetWallet",
      "rpc.grpc.status_code": 0,
    });
    const traceId = caller?.spanContext().traceId;
    expect(client?.spanContext().traceId).toBe(traceId);
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(client?.parentSpanContext?.spanId).toBe(caller?.spanContext().spanId);
    expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    expect(caller?.attributes["order.id"]).toBe("o-1");
    expect(String(t.seen[0]?.get("traceparent")[0])).toMatch(
      new RegExp(`^00-${traceId}-${client?.spanContext().spanId}-01$`),
    );
    // The handler's log line carries the server span's ids.
    expect(lines[0]).toMatchObject({ trace_id: traceId, span_id: server?.spanContext().spanId });
  });

  it("marks a failed call on the client span, and a refusal is not a server fault", async () => {
    const exporter = new InMemorySpanExporter();
    await startTracing({ serviceName: "test", exporter, exportEachSpan: true });
    const implementation: UntypedServiceImplementation = {
      getWallet: (_call: unknown, callback: (err: { code: number; details: string }) => void) =>
        callback({ code: 9, details: "refused" }),
    };
    const server = await startGrpcServer([{ definition, implementation }], "127.0.0.1", 0, {
      transport: plaintextTransport,
    });
    const client = createGrpcClient(definition, `127.0.0.1:${server.port}`, {
      transport: plaintextTransport,
      resilience: resilience(),
      retrySafe: [],
    });
    running = { server, client };
    await expect(client.call.getWallet({ customerId: "alice", currency: "" })).rejects.toMatchObject({
      kind: "refused",
    });
    const spans = exporter.getFinishedSpans();
    expect(spans.find((s) => s.kind === SpanKind.CLIENT)?.status).toMatchObject({
      code: 2,
      message: "FAILED_PRECONDITION",
    });
    expect(spans.find((s) => s.kind === SpanKind.SERVER)?.status.code).toBe(0);
    expect(spans.find((s) => s.kind === SpanKind.SERVER)?.attributes["rpc.grpc.status_code"]).toBe(9);
  });
});

describe("HTTP server spans", () => {
  async function get(server: Server, headers: Record<string, string> = {}) {
    const port = (server.address() as AddressInfo).port;
    return new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      httpRequest({ port, host: "127.0.0.1", path: "/v1/things/42?x=1", headers }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ headers: res.headers, body }));
      })
        .on("error", reject)
        .end();
    });
  }
  const listen = async (server: Server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  it("continues the caller's trace, names the span after the route and answers with traceparent", async () => {
    const exporter = new InMemorySpanExporter();
    await startTracing({ serviceName: "test", exporter, exportEachSpan: true });
    const server = createServer((req, res) => {
      nameHttpSpan(req, "GET", "/v1/things/:id");
      res.end(requestTraceId(req));
    });
    traceHttpServer(server);
    await listen(server);
    const incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const res = await get(server, { traceparent: incoming });
    server.close();
    // The span ends when the server has finished the response, which the client may see first.
    const span = await vi.waitFor(
      () => {
        const finished = exporter.getFinishedSpans()[0];
        if (!finished) throw new Error("no finished span yet");
        return finished;
      },
      { timeout: 5_000 },
    );
    expect(span?.name).toBe("GET /v1/things/:id");
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(span?.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(span?.attributes).toMatchObject({
      "http.route": "/v1/things/:id",
      "url.path": "/v1/things/42",
      "http.response.status_code": 200,
    });
    expect(res.body).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(res.headers.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span?.spanContext().spanId}-01`);
  });

  it("in a trace the sampler leaves out, makes no span active (pg and ioredis then record nothing) yet passes the decision and the trace id on", async () => {
    const saved = { sampler: process.env.OTEL_TRACES_SAMPLER, arg: process.env.OTEL_TRACES_SAMPLER_ARG };
    process.env.OTEL_TRACES_SAMPLER = "parentbased_traceidratio";
    process.env.OTEL_TRACES_SAMPLER_ARG = "0";
    const exporter = new InMemorySpanExporter();
    try {
      await startTracing({ serviceName: "test", exporter, exportEachSpan: true });
    } finally {
      for (const [name, value] of [
        ["OTEL_TRACES_SAMPLER", saved.sampler],
        ["OTEL_TRACES_SAMPLER_ARG", saved.arg],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const { log, lines } = capturedLogger({ mixin: traceLogFields });
    const t = await walletServer(log);
    running = t;
    const startSpan = vi.spyOn(activeTracer(), "startSpan");
    const activeInHttp: unknown[] = [];
    const server = createServer((req, res) => {
      activeInHttp.push(trace.getSpan(context.active()));
      void inSpan("step", {}, async () => {
        activeInHttp.push(trace.getSpan(context.active()));
        await t.client.call.getWallet({ customerId: "alice", currency: "" });
      }).then(() => res.end(requestTraceId(req)));
    });
    traceHttpServer(server);
    await listen(server);
    const res = await get(server);
    server.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(exporter.getFinishedSpans()).toEqual([]);
    // Only the gateway's sampler is asked; the gRPC server reads "not sampled" from its parent and
    // makes no span object at all (a parent-based sampler would only say no again).
    expect(startSpan).toHaveBeenCalledTimes(1);
    expect(activeInHttp).toEqual([undefined, undefined]);
    expect(t.active).toEqual([undefined]);
    // The next service is told "not sampled" in the same trace, and follows it (parent-based)…
    expect(String(t.seen[0]?.get("traceparent")[0])).toMatch(new RegExp(`^00-${res.body}-[\\da-f]{16}-00$`));
    expect(res.headers.traceparent).toMatch(new RegExp(`^00-${res.body}-[\\da-f]{16}-00$`));
    // …and log lines still carry the trace id the answer's x-trace-id names.
    expect(lines[0]).toMatchObject({ trace_id: res.body });
  });

  it("with tracing off, still gives each request a W3C trace id: the caller's, or a new one", async () => {
    const server = createServer((req, res) => res.end(requestTraceId(req)));
    traceHttpServer(server);
    await listen(server);
    const mine = await get(server, { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
    const fresh = await get(server);
    const invalid = await get(server, { traceparent: "00-00000000000000000000000000000000-b7ad6b7169203331-01" });
    server.close();
    expect(mine.body).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(fresh.body).toMatch(/^[\da-f]{32}$/);
    expect(invalid.body).toMatch(/^[\da-f]{32}$/);
    expect(invalid.body).not.toBe("0".repeat(32));
    expect(mine.headers.traceparent).toBeUndefined();
  });
});
