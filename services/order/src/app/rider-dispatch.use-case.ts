import { historyEntry as entry } from "../domain/history";
import type { Location, Order } from "../domain/order";
import { orderErrors } from "../domain/order.errors";
import { parseOrderId } from "../domain/order-id";
import type { RiderPort } from "./dependencies.port";
import type { OrderRepository } from "./order.repository.port";
import type { OrderSaga } from "./order-saga";
import { orderSteps } from "./order-steps";
import { unobservedSaga, type SagaObserver } from "./saga-observer.port";

/** Seconds from the order's confirmation (its `saga:confirmed` entry, else its last update) to `at`. */
const sinceConfirmed = (order: Order, at: Date): number => {
  const confirmed: Date | undefined =
    order.history.findLast((h) => h.step === "saga" && h.outcome === "confirmed")?.at ?? order.updatedAt;
  return confirmed ? Math.max(0, (at.getTime() - confirmed.getTime()) / 1000) : 0;
};

const { assignRider } = orderSteps;

/**
 * Gets a rider to every confirmed order. Never fails a paid order: with no free rider (or the rider
 * service down) the order stays CONFIRMED and the background worker tries again.
 */
export class RiderDispatch {
  constructor(
    private readonly repo: OrderRepository,
    private readonly riders: RiderPort,
    private readonly saga: Pick<OrderSaga, "compensateOutsideSaga">,
    /** Where orders without a delivery location are delivered from/to (the store). */
    private readonly storeLocation: Location,
    private readonly observer: Pick<SagaObserver, "riderAssigned" | "riderMissed"> = unobservedSaga,
  ) {}

  /**
   * Tries once to assign the nearest free rider; answers the order as it now is. A miss writes
   * nothing: the order simply has no rider yet (the dispatcher's metrics and logs say why), which
   * keeps an extra commit off every order placed while riders are scarce.
   *
   * A rider who already carries another active order is never recorded (the database refuses it):
   * the rider service forgot them (a restart in memory, an emptied Redis). That active order is
   * re-asserted to it, which also takes the rider off this order there, so the next try finds
   * someone else.
   */
  async assign(order: Order): Promise<Order> {
    const at = order.deliveryLocation ?? this.storeLocation;
    try {
      const riderId = await assignRider.run({ riders: this.riders }, { orderId: order.id, at });
      const done = entry(assignRider.name, "done", `rider ${riderId}`);
      const assignment = await this.repo.assignRider(order.id, riderId, [done]);
      if (assignment.kind === "assigned") {
        this.observer.riderAssigned({ orderId: order.id, riderId, seconds: sinceConfirmed(order, done.at) });
        return { ...order, riderId, history: [...order.history, done], updatedAt: assignment.updatedAt };
      }
      // Another pass (the background retry, another replica) moved the order first: answer it as stored.
      if (assignment.kind === "not-waiting") return (await this.repo.get(order.id)) ?? order;
      if (assignment.kind === "rider-busy") {
        await this.riders.hold(assignment.activeOrderId, riderId);
        this.observer.riderMissed({
          orderId: order.id,
          error: orderErrors.riderBusy(riderId, assignment.activeOrderId),
        });
      }
      return order;
    } catch (err) {
      this.observer.riderMissed({ orderId: order.id, error: err });
      return order;
    }
  }

  /** One background pass over the orders still waiting for a rider: how many waited, how many got one. */
  async assignWaiting(limit = 50): Promise<{ waiting: number; assigned: number }> {
    const waiting = await this.repo.listAwaitingRider(limit);
    let assigned = 0;
    for (const order of waiting) {
      if ((await this.assign(order)).riderId) assigned++;
    }
    return { waiting: waiting.length, assigned };
  }

  /**
   * The assigned rider hands the order over; the rider is freed (retried, or dead-lettered). The id
   * may be typed in any case: from here on only the stored order's id is used.
   */
  async markDelivered(rawOrderId: string, riderId: string): Promise<Order> {
    const orderId = parseOrderId(rawOrderId);
    if (orderId === null) throw orderErrors.orderNotFound(rawOrderId);
    const delivered = await this.repo.markDelivered(orderId, riderId, [
      entry("delivery", "done", `by rider ${riderId}`),
    ]);
    const order = await this.repo.get(orderId);
    // Someone else's order looks exactly like a missing one.
    if (!order || order.riderId !== riderId) throw orderErrors.orderNotFound(rawOrderId);
    if (!delivered && order.status !== "DELIVERED") throw orderErrors.notDeliverable(order.id, order.status);
    // The rider's release: retried, and dead-lettered while it frees nobody (order-steps.ts).
    const release = assignRider.compensate;
    if (delivered)
      await this.saga.compensateOutsideSaga(order, release.name, () => release.run({ riders: this.riders }, order));
    return (await this.repo.get(order.id)) ?? order;
  }

  /** The order the rider carries now (CONFIRMED, assigned to them), or null; nobody carries for an empty id. */
  async assignmentOf(riderId: string): Promise<Order | null> {
    if (riderId.trim() === "") return null;
    return this.repo.activeForRider(riderId);
  }
}
