import type { Location } from "../domain/order";
import { BatchGetOrders } from "./batch-get-orders.use-case";
import type { CompensationPolicy } from "./compensator";
import { CreateOrder } from "./create-order.use-case";
import type { DeadLetterRepository } from "./dead-letter.repository.port";
import { DeadLetters } from "./dead-letters.use-case";
import type { DependencyHealth, InventoryPort, PaymentPort, RiderPort } from "./dependencies.port";
import { GetOrder } from "./get-order.use-case";
import { ListOrders } from "./list-orders.use-case";
import type { OrderRepository } from "./order.repository.port";
import { OrderSaga } from "./order-saga";
import { RiderDispatch } from "./rider-dispatch.use-case";
import type { SagaObserver } from "./saga-observer.port";
import { SagaRuns, type Detach } from "./saga-runs";
import { SearchOrders } from "./search-orders.use-case";

export interface OrderUseCaseDeps {
  readonly orders: OrderRepository;
  readonly deadLetters: DeadLetterRepository;
  readonly inventory: InventoryPort;
  readonly payment: PaymentPort;
  readonly riders: RiderPort;
  /** Which saga targets refuse calls right now (an order is then refused before it is written). */
  readonly health: DependencyHealth;
  readonly observer: SagaObserver;
  /** This replica's identity, the lease owner of the sagas it drives. */
  readonly owner: string;
  readonly leaseMs: number;
  /** Where orders without a delivery location are delivered from (the store). */
  readonly store: Location;
  readonly compensation: CompensationPolicy;
  readonly redriveMs: number;
  /** How a saga is detached from the call that started it (it outlives that call's deadline). */
  readonly detach: Detach;
  readonly newId: () => string;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The saga, rider dispatch and every order use case, wired over the given ports. */
export function orderUseCases(d: OrderUseCaseDeps) {
  const saga = new OrderSaga({
    orders: d.orders,
    deadLetters: d.deadLetters,
    inventory: d.inventory,
    payment: d.payment,
    owner: d.owner,
    compensation: d.compensation,
    newId: d.newId,
    observer: d.observer,
  });
  const dispatch = new RiderDispatch(d.orders, d.riders, saga, d.store, d.observer);
  const sagas = new SagaRuns(saga, dispatch, d.detach);
  const createOrderOptions = { owner: d.owner, leaseMs: d.leaseMs, newId: d.newId, sleep: d.sleep };
  return {
    sagas,
    dispatch,
    createOrder: new CreateOrder(d.orders, d.inventory, sagas, d.health, createOrderOptions),
    getOrder: new GetOrder(d.orders),
    batchGetOrders: new BatchGetOrders(d.orders),
    listOrders: new ListOrders(d.orders),
    searchOrders: new SearchOrders(d.orders),
    deadLetters: new DeadLetters(d.deadLetters, d.orders, d.inventory, d.payment, d.riders, d.redriveMs),
  };
}
