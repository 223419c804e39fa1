import { SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { Metrics, startTracing, stopTracing, traceLogFields } from "@qc/platform/observability";
import { AppError, refused } from "@qc/platform/errors";
import { capturedLogger, parsePrometheusText } from "@qc/platform/testing";
import type { Logger } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeadLetterRepository } from "../../app/dead-letter.repository.port";
import type { InventoryPort, PaymentPort } from "../../app/dependencies.port";
import type { OrderRepository } from "../../app/order.repository.port";
import { OrderSaga } from "../../app/order-saga";
import type { Order } from "../../domain/order";
import { pendingOrder, TEST_OWNER } from "../../app/testing/pending-order";
import { sagaObserver } from "./saga.observer";

const OWNER = TEST_OWNER;
const pending = (id: string) => pendingOrder({ id });

/** A saga over in-memory fakes: `charge` and `addStock` behave as told. */
function saga(
  metrics: Metrics,
  log: Logger,
  behaviour: { charge?: () => Promise<void>; addStock?: () => Promise<void> } = {},
) {
  const orders = new Map<string, Order>();
  const repo: Pick<OrderRepository, "get" | "recordFailing" | "finish"> = {
    get: async (id) => orders.get(id) ?? null,
    recordFailing: async () => undefined,
    finish: async (id, _owner, status, reason) => {
      const o = orders.get(id);
      if (o) orders.set(id, { ...o, status, failureReason: reason });
      return new Date();
    },
  };
  const inventory: InventoryPort = {
    catalog: async (skus) => new Map(skus.map((sku) => [sku, { priceCents: 150, currency: "EUR" }])),
    deductStock: async (_id, lines) => ({
      lines: lines.map((l) => ({ ...l, unitPriceCents: 150 })),
      totalCents: 300,
      currency: "EUR",
    }),
    addStock: async () => {
      await behaviour.addStock?.();
      return { restored: true };
    },
  };
  const payment: PaymentPort = {
    charge: async () => {
      await behaviour.charge?.();
      return { chargeId: "ch-1" };
    },
    refund: async () => ({ refunded: true }),
  };
  const deadLetters: Pick<DeadLetterRepository, "add"> = { add: async () => undefined };
  const s = new OrderSaga({
    orders: repo as OrderRepository,
    deadLetters: deadLetters as DeadLetterRepository,
    inventory,
    payment,
    owner: OWNER,
    compensation: { attempts: 3, backoffMs: 1, deadLetterRetryMs: 1_000 },
    newId: () => "dl-1",
    observer: sagaObserver(metrics, log),
  });
  return {
    drive: (id: string) => {
      orders.set(id, pending(id));
      return s.drive(id);
    },
  };
}

let exporter: InMemorySpanExporter;
beforeEach(async () => {
  exporter = new InMemorySpanExporter();
  await startTracing({ serviceName: "order", exporter, exportEachSpan: true });
});
afterEach(() => stopTracing());

describe("the saga's spans, metrics and logs", () => {
  it("traces a confirmed saga as one span per step under a saga span, all with the order id", async () => {
    const metrics = new Metrics("order");
    const { log, lines } = capturedLogger({ level: "debug", mixin: traceLogFields });
    await saga(metrics, log).drive("o-1");

    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === "saga");
    expect(spans.map((s) => s.name).sort()).toEqual(["saga", "saga charge-payment", "saga reserve-stock"]);
    for (const s of spans) {
      expect(s.attributes["order.id"]).toBe("o-1");
      expect(s.spanContext().traceId).toBe(root?.spanContext().traceId);
    }
    for (const step of spans.filter((s) => s !== root))
      expect(step.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);

    const scrape = parsePrometheusText(await metrics.text());
    expect(scrape.value("saga_outcomes_total", { status: "CONFIRMED", reason: "none" })).toBe(1);
    expect(scrape.value("saga_outcomes_total", { status: "FAILED", reason: "PAYMENT_DECLINED" })).toBe(0);
    expect(scrape.value("saga_duration_seconds_count")).toBe(1);

    const finished = lines.find((l) => l.msg === "saga finished");
    expect(finished).toMatchObject({
      level: 30,
      orderId: "o-1",
      status: "CONFIRMED",
      trace_id: root?.spanContext().traceId,
      span_id: root?.spanContext().spanId,
    });
  });

  it("traces a compensation, and counts the outcome by reason", async () => {
    const metrics = new Metrics("order");
    const { log } = capturedLogger({ level: "debug", mixin: traceLogFields });
    const order = await saga(metrics, log, {
      charge: () => Promise.reject(refused("PAYMENT_DECLINED", "declined")),
    }).drive("o-2");
    expect(order?.failureReason).toBe("PAYMENT_DECLINED");

    const spans = exporter.getFinishedSpans();
    const charge = spans.find((s) => s.name === "saga charge-payment");
    expect(charge?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: "PAYMENT_DECLINED" });
    const release = spans.find((s) => s.name === "saga release-stock");
    expect(release?.attributes).toMatchObject({ "order.id": "o-2", "saga.compensation": true, "saga.attempt": 1 });
    expect(release?.parentSpanContext?.spanId).toBe(spans.find((s) => s.name === "saga")?.spanContext().spanId);

    const scrape = parsePrometheusText(await metrics.text());
    expect(scrape.value("saga_outcomes_total", { status: "FAILED", reason: "PAYMENT_DECLINED" })).toBe(1);
    expect(scrape.value("saga_compensations_total", { step: "release-stock", outcome: "done" })).toBe(1);
  });

  it("counts every failed compensation attempt and the dead letter, with a span per attempt", async () => {
    const metrics = new Metrics("order");
    const { log, lines } = capturedLogger({ level: "debug", mixin: traceLogFields });
    await saga(metrics, log, {
      charge: () => Promise.reject(refused("PAYMENT_DECLINED", "declined")),
      addStock: () => Promise.reject(new AppError("unavailable", "SERVICE_UNAVAILABLE", "inventory down")),
    }).drive("o-3");

    const attempts = exporter.getFinishedSpans().filter((s) => s.name === "saga release-stock");
    expect(attempts.map((s) => s.attributes["saga.attempt"])).toEqual([1, 2, 3]);
    expect(attempts.every((s) => s.status.code === SpanStatusCode.ERROR)).toBe(true);

    const scrape = parsePrometheusText(await metrics.text());
    expect(scrape.value("saga_compensations_total", { step: "release-stock", outcome: "retry" })).toBe(3);
    expect(scrape.value("saga_compensations_total", { step: "release-stock", outcome: "dead-lettered" })).toBe(1);
    expect(scrape.value("saga_compensations_total", { step: "release-stock", outcome: "done" })).toBe(0);
    expect(lines.filter((l) => l.msg === "compensation attempt failed")).toHaveLength(3);
    expect(lines.find((l) => l.msg === "compensation dead-lettered")).toMatchObject({
      level: 50,
      orderId: "o-3",
      step: "release-stock",
    });
  });
});
