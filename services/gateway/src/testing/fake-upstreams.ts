import { BreakerRegistry } from "@qc/platform/resilience";
import type {
  InventoryCalls,
  OrderCalls,
  PaymentCalls,
  RiderCalls,
  UpstreamClient,
  UpstreamName,
  Upstreams,
} from "../upstreams";

const orderMethods = [
  "createOrder",
  "getOrder",
  "listOrders",
  "searchOrders",
  "watchOrder",
  "markDelivered",
  "listDeadLetters",
  "replayDeadLetter",
  "listCircuitBreakers",
  "getRiderAssignment",
] as const;
const inventoryMethods = ["createProduct", "getProduct", "listProducts", "restock"] as const;
const paymentMethods = ["credit"] as const;
const riderMethods = ["updateLocation", "nearby", "listRiders"] as const;

export interface FakeCalls {
  readonly order?: Partial<OrderCalls>;
  readonly inventory?: Partial<InventoryCalls>;
  readonly payment?: Partial<PaymentCalls>;
  readonly rider?: Partial<RiderCalls>;
}

export interface FakeOptions {
  /** Upstreams whose channel reports not ready (and whose health check gets no answer). */
  readonly down?: readonly UpstreamName[];
  /** Upstreams that answer their health check NOT_SERVING (reachable, but e.g. their database is down). */
  readonly notServing?: readonly UpstreamName[];
  readonly breakers?: BreakerRegistry;
}

/** Upstreams whose calls are the given functions; any other call fails the test loudly. */
export function fakeUpstreams(calls: FakeCalls = {}, options: FakeOptions = {}): Upstreams {
  const client = <C>(
    name: UpstreamName,
    methods: readonly string[],
    given: Partial<C> | undefined,
  ): UpstreamClient<C> => {
    const unexpected = Object.fromEntries(
      methods.map((m) => [m, () => Promise.reject(new Error(`unexpected call ${name}.${m}`))]),
    );
    return {
      call: { ...unexpected, ...given } as C,
      isReady: async () => !(options.down ?? []).includes(name),
      health: async () =>
        (options.down ?? []).includes(name)
          ? "UNREACHABLE"
          : (options.notServing ?? []).includes(name)
            ? "NOT_SERVING"
            : "SERVING",
      close: () => undefined,
    };
  };
  return {
    order: client<OrderCalls>("order", orderMethods, calls.order),
    inventory: client<InventoryCalls>("inventory", inventoryMethods, calls.inventory),
    payment: client<PaymentCalls>("payment", paymentMethods, calls.payment),
    rider: client<RiderCalls>("rider", riderMethods, calls.rider),
    breakers: options.breakers ?? new BreakerRegistry(),
  };
}
