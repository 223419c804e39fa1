import { inventoryV1, orderV1, paymentV1 } from "@qc/contracts";
import {
  BreakerRegistry,
  createGrpcClient,
  defaultResilience,
  ResilientTarget,
  type Logger,
  type PromiseClient,
  type ResilienceOptions,
} from "@qc/platform";
import type { GatewayConfig } from "./config";

/** One upstream service as the gateway sees it: the calls it makes, and its channel. */
export interface UpstreamClient<Calls> {
  readonly call: Calls;
  /** True once the channel is connected (or connects within `timeoutMs`). */
  isReady(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export type OrderCalls = Pick<
  PromiseClient<orderV1.OrderServiceService>,
  "createOrder" | "getOrder" | "listOrders" | "listDeadLetters" | "replayDeadLetter" | "listCircuitBreakers"
>;
export type InventoryCalls = Pick<
  PromiseClient<inventoryV1.InventoryServiceService>,
  "createProduct" | "getProduct" | "listProducts" | "restock"
>;
export type PaymentCalls = Pick<PromiseClient<paymentV1.PaymentServiceService>, "credit">;

/**
 * Everything the gateway talks to: the port its routes depend on. `createUpstreams` builds the real
 * gRPC clients; tests pass object literals.
 */
export interface Upstreams {
  readonly order: UpstreamClient<OrderCalls>;
  readonly inventory: UpstreamClient<InventoryCalls>;
  readonly payment: UpstreamClient<PaymentCalls>;
  /** The gateway's own circuit breakers, one per target. */
  readonly breakers: Pick<BreakerRegistry, "list">;
}

export type UpstreamName = "order" | "inventory" | "payment";
export const upstreamNames: readonly UpstreamName[] = ["order", "inventory", "payment"];

/** gRPC clients with deadline → breaker → retry (reads only) per target, caller "gateway". */
export function createUpstreams(config: GatewayConfig, logger: Logger): Upstreams {
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
  return {
    order: createGrpcClient(orderV1.OrderServiceService, config.ORDER_ADDR, {
      resilience: target("order"),
      // Not CreateOrder: the order service dedupes by idempotency key, but a blind retry would wait twice.
      retrySafe: ["getOrder", "listOrders", "listDeadLetters", "listCircuitBreakers"],
    }),
    inventory: createGrpcClient(inventoryV1.InventoryServiceService, config.INVENTORY_ADDR, {
      resilience: target("inventory"),
      // Not Restock: it adds stock, so a retry after a lost answer would add it twice.
      retrySafe: ["getProduct", "listProducts", "batchGetProducts"],
    }),
    payment: createGrpcClient(paymentV1.PaymentServiceService, config.PAYMENT_ADDR, {
      resilience: target("payment"),
      // Not Credit: it is not keyed, so a retry after a lost answer would credit twice.
      retrySafe: ["getWallet"],
    }),
    breakers,
  };
}

export function closeUpstreams(upstreams: Upstreams): void {
  for (const name of upstreamNames) upstreams[name].close();
}
