import { inventoryV1, orderV1, paymentV1, riderV1 } from "@qc/contracts";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { createGrpcClient, grpcTransport, type GrpcClient, type PromiseClient } from "@qc/platform/grpc";
import { createHealthClient, serviceNameOf, type HealthCheckResult } from "@qc/platform/health";
import type { Logger } from "@qc/platform/log";
import { BreakerRegistry, defaultResilience, ResilientTarget, type ResilienceOptions } from "@qc/platform/resilience";
import type { GatewayConfig } from "./config";
import { batchedGetOrder, batchedGetProduct } from "./batched-reads";

/** One upstream service as the gateway sees it: the calls it makes, and its channel. */
export interface UpstreamClient<Calls> {
  readonly call: Calls;
  /** True once the channel is connected (or connects within `timeoutMs`). */
  isReady(timeoutMs: number): Promise<boolean>;
  /**
   * The upstream's own word on whether it can serve: its `grpc.health.v1` Check for its service
   * (e.g. NOT_SERVING while its database is down); UNREACHABLE when no answer came within `timeoutMs`.
   */
  health(timeoutMs: number): Promise<HealthCheckResult>;
  close(): void;
}

export type OrderCalls = Pick<
  PromiseClient<orderV1.OrderServiceService>,
  | "createOrder"
  | "getOrder"
  | "listOrders"
  | "searchOrders"
  | "watchOrder"
  | "markDelivered"
  | "listDeadLetters"
  | "replayDeadLetter"
  | "listCircuitBreakers"
  | "getRiderAssignment"
>;
export type InventoryCalls = Pick<
  PromiseClient<inventoryV1.InventoryServiceService>,
  "createProduct" | "getProduct" | "listProducts" | "restock"
>;
export type PaymentCalls = Pick<PromiseClient<paymentV1.PaymentServiceService>, "credit">;
export type RiderCalls = Pick<PromiseClient<riderV1.RiderServiceService>, "updateLocation" | "nearby" | "listRiders">;

/**
 * Everything the gateway talks to: the port its routes depend on. `createUpstreams` builds the real
 * gRPC clients; tests pass object literals.
 */
export interface Upstreams {
  readonly order: UpstreamClient<OrderCalls>;
  readonly inventory: UpstreamClient<InventoryCalls>;
  readonly payment: UpstreamClient<PaymentCalls>;
  readonly rider: UpstreamClient<RiderCalls>;
  /** The gateway's own circuit breakers, one per target. */
  readonly breakers: Pick<BreakerRegistry, "list">;
}

export type UpstreamName = "order" | "inventory" | "payment" | "rider";
export const upstreamNames: readonly UpstreamName[] = ["order", "inventory", "payment", "rider"];

/** gRPC clients with deadline → breaker → retry (reads only) per target, caller "gateway". */
export function createUpstreams(config: GatewayConfig, logger: Logger): Upstreams {
  // Bad TLS settings stop the start here, before any channel exists.
  const transport = grpcTransport(config);
  const breakers = new BreakerRegistry();
  const options: ResilienceOptions = {
    ...defaultResilience,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    breakerThreshold: config.BREAKER_THRESHOLD,
    halfOpenAfterMs: config.BREAKER_HALF_OPEN_MS,
  };
  const target = (name: UpstreamName): ResilientTarget => {
    const resilient = breakers.add(new ResilientTarget("gateway", name, options));
    resilient.onStateChange((state) => logger.warn({ target: name, state }, "circuit breaker changed state"));
    return resilient;
  };
  const order = withHealth(orderV1.OrderServiceService, config.ORDER_ADDR, {
    transport,
    resilience: target("order"),
    // Not CreateOrder: the order service dedupes by idempotency key, but a blind retry would wait twice.
    // MarkDelivered is: the same rider repeating it for a DELIVERED order gets the order again.
    retrySafe: [
      "getOrder",
      "batchGetOrders",
      "listOrders",
      "searchOrders",
      "markDelivered",
      "listDeadLetters",
      "listCircuitBreakers",
      "getRiderAssignment",
    ],
  });
  const inventory = withHealth(inventoryV1.InventoryServiceService, config.INVENTORY_ADDR, {
    transport,
    resilience: target("inventory"),
    // Not Restock: it adds stock, so a retry after a lost answer would add it twice.
    retrySafe: ["getProduct", "listProducts", "batchGetProducts"],
  });
  // Reads of one product or one order that arrive together go as one batch call (see read-batching.ts).
  return {
    order: { ...order, call: { ...order.call, getOrder: batchedGetOrder(order.call.batchGetOrders) } },
    inventory: {
      ...inventory,
      call: { ...inventory.call, getProduct: batchedGetProduct(inventory.call.batchGetProducts) },
    },
    payment: withHealth(paymentV1.PaymentServiceService, config.PAYMENT_ADDR, {
      transport,
      resilience: target("payment"),
      // Not Credit: it is not keyed, so a retry after a lost answer would credit twice.
      retrySafe: ["getWallet"],
    }),
    rider: withHealth(riderV1.RiderServiceService, config.RIDER_ADDR, {
      transport,
      resilience: target("rider"),
      // UpdateLocation too: it sets the rider's whole state (last write wins), so repeating it after a
      // lost answer writes the same thing again. The retry runs before the rider gets an answer, so it
      // can only overtake a newer update the rider sent without waiting for this one, which requests
      // racing each other can do anyway; the rider's next update corrects it.
      // Not AssignNearest or Release: the gateway does not call them (the order service does).
      retrySafe: ["nearby", "updateLocation", "listRiders"],
    }),
    breakers,
  };
}

/** A gRPC client plus a health-checking client of the same upstream (a channel of its own, kept open). */
function withHealth<S extends ServiceDefinition>(
  definition: S,
  address: string,
  options: Parameters<typeof createGrpcClient<S>>[2],
): GrpcClient<S> & Pick<UpstreamClient<unknown>, "health"> {
  const client = createGrpcClient(definition, address, options);
  const checker = createHealthClient(address, options.transport);
  const service = serviceNameOf(definition);
  return {
    ...client,
    health: (timeoutMs) => checker.check(service, timeoutMs),
    close: () => {
      client.close();
      checker.close();
    },
  };
}

export function closeUpstreams(upstreams: Upstreams): void {
  for (const name of upstreamNames) upstreams[name].close();
}
