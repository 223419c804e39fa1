import type { Order } from "../domain/order";
import type { OrderSaga } from "./order-saga";
import type { RiderDispatch } from "./rider-dispatch.use-case";

/**
 * Runs a saga apart from the request that started it: once its order is written, a saga must finish
 * (or compensate) whatever its caller does, so it must not inherit the caller's deadline.
 */
export type Detach = <T>(work: () => Promise<T>) => Promise<T>;

/** The sagas this replica drives, each followed (once paid for) by a first try to get a rider. */
export class SagaRuns {
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly saga: Pick<OrderSaga, "drive">,
    private readonly dispatch: Pick<RiderDispatch, "assign">,
    private readonly detach: Detach = (work) => work(),
  ) {}

  /** Drives a just-written order's saga, detached from the caller; the final order, or null. */
  start(order: Order): Promise<Order | null> {
    return this.track(this.detach(() => this.driveAndDispatch(order, false)));
  }

  /** Drives an order whose saga this replica has just taken over. */
  async resume(id: string): Promise<void> {
    await this.track(this.driveAndDispatch(id, true));
  }

  /** Waits for every saga this replica is driving (for a graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** The saga, then (once paid for) the first try to get a rider; it never fails the order. */
  private async driveAndDispatch(orderOrId: string | Order, takenOver: boolean): Promise<Order | null> {
    const order = await this.saga.drive(orderOrId, takenOver);
    return order?.status === "CONFIRMED" ? this.dispatch.assign(order) : order;
  }

  private track<T>(saga: Promise<T>): Promise<T> {
    const tracked = saga.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return tracked;
  }
}
