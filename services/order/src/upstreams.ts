import { inventoryV1, paymentV1, riderV1 } from "@qc/contracts";
import { createGrpcClient, type GrpcTransport } from "@qc/platform/grpc";
import type { Logger } from "@qc/platform/log";
import { observeBreakers, type Metrics } from "@qc/platform/observability";
import { BreakerRegistry, ResilientTarget } from "@qc/platform/resilience";
import type { InventoryPort, PaymentPort, RiderPort } from "./app/dependencies.port";
import { inventoryOverGrpc, paymentOverGrpc, ridersOverGrpc } from "./adapters/grpc/dependencies.client";
import type { OrderConfig } from "./config";

/** The services an order depends on, as the ports the use cases own, behind one breaker registry. */
export interface Upstreams {
  readonly inventory: InventoryPort;
  readonly payment: PaymentPort;
  readonly riders: RiderPort;
  readonly breakers: BreakerRegistry;
  close(): void;
}

/** Direct (in-process) dependencies instead of gRPC clients, e.g. for the in-process benchmark. */
export interface UpstreamOverrides {
  readonly inventory?: InventoryPort;
  readonly payment?: PaymentPort;
  readonly riders?: RiderPort;
}

/** gRPC clients of Inventory, Payment and Rider, each with its timeout, retries and circuit breaker. */
export function createUpstreams(
  config: OrderConfig,
  { transport, metrics, logger }: { transport: GrpcTransport; metrics: Metrics; logger: Logger },
  overrides: UpstreamOverrides = {},
): Upstreams {
  const breakers = new BreakerRegistry();
  observeBreakers(metrics, breakers);
  breakers.onStateChange((t, state) => logger.warn({ target: t.target, state }, "circuit breaker changed state"));
  const resilience = (target: string) =>
    breakers.add(
      new ResilientTarget("order", target, {
        timeoutMs: config.UPSTREAM_TIMEOUT_MS,
        breakerThreshold: config.BREAKER_THRESHOLD,
        halfOpenAfterMs: config.BREAKER_HALF_OPEN_MS,
        retryAttempts: 2,
        retryInitialDelayMs: config.UPSTREAM_RETRY_DELAY_MS,
      }),
    );
  // Compensations (addStock, refund) are retried by the saga itself, which records each retry.
  const inventoryClient = createGrpcClient(inventoryV1.InventoryServiceService, config.INVENTORY_ADDR, {
    transport,
    resilience: resilience("inventory"),
    retrySafe: ["batchGetProducts", "deductStock", "getProduct"],
  });
  const paymentClient = createGrpcClient(paymentV1.PaymentServiceService, config.PAYMENT_ADDR, {
    transport,
    resilience: resilience("payment"),
    retrySafe: ["charge", "getWallet"],
  });
  const riderClient = createGrpcClient(riderV1.RiderServiceService, config.RIDER_ADDR, {
    transport,
    resilience: resilience("rider"),
    retrySafe: ["assignNearest", "nearby"],
  });
  return {
    inventory: overrides.inventory ?? inventoryOverGrpc(inventoryClient),
    payment: overrides.payment ?? paymentOverGrpc(paymentClient),
    riders: overrides.riders ?? ridersOverGrpc(riderClient),
    breakers,
    close: () => {
      inventoryClient.close();
      paymentClient.close();
      riderClient.close();
    },
  };
}
