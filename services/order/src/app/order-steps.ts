import type { Location, Order } from "../domain/order";
import { orderErrors } from "../domain/order.errors";
import type { InventoryPort, PaymentPort, RiderPort } from "./dependencies.port";
import type { Reservation } from "./order.repository.port";

/** The ports the steps call; each step takes only those it needs. */
export interface StepPorts {
  readonly inventory: InventoryPort;
  readonly payment: PaymentPort;
  readonly riders: RiderPort;
}

/** What the saga's forward steps read and leave behind. */
export interface StepState {
  readonly order: Order;
  /** Set once stock is reserved. */
  reservation: Reservation | null;
}

/** What a forward step of the saga did, as the order's history records it. */
export interface StepOutcome {
  readonly outcome: "done" | "skipped";
  readonly detail: string;
}

/** What a compensation needs of an order: its id, and the rider it records (a release names them). */
export type CompensationTarget = Pick<Order, "id" | "riderId">;

/** The shape every entry of the registry has; each keeps its own, narrower types. */
interface StepShape {
  readonly name: string;
  run(ports: never, input: never): Promise<unknown>;
  readonly compensate: { readonly name: string; run(ports: never, order: CompensationTarget): Promise<string> };
}

/**
 * Every step of an order, each defined once: its name (as the history records it), its forward action,
 * and the compensation that undoes it (idempotent, and a no-op when the step never took effect; it
 * answers what it did, for the history). The saga runs `reserveStock` and `chargePayment`; rider
 * dispatch runs `assignRider`, and its compensation once the order is delivered; the dead-letter
 * replay finds a compensation by the name its dead letter stores (`compensationNamed`).
 *
 * A compensation's name is stored in dead letters that stay open until they are replayed, in every
 * database that runs this service: renaming one leaves those with no compensation to run.
 * `order-steps.test.ts` holds the names stored today.
 */
export const orderSteps = {
  reserveStock: {
    name: "reserve-stock",
    run: async ({ inventory }: Pick<StepPorts, "inventory">, state: StepState): Promise<StepOutcome> => {
      const { order } = state;
      const reserved = await inventory.deductStock(order.id, order.lines);
      const prices = new Map(reserved.lines.map((l) => [l.sku, l.unitPriceCents]));
      state.reservation = {
        lines: order.lines.map((l) => ({ ...l, priceCents: prices.get(l.sku) ?? 0 })),
        totalCents: reserved.totalCents,
        currency: reserved.currency,
      };
      return { outcome: "done", detail: `total ${reserved.totalCents} ${reserved.currency}` };
    },
    compensate: {
      name: "release-stock",
      run: async ({ inventory }: Pick<StepPorts, "inventory">, order: CompensationTarget): Promise<string> =>
        (await inventory.addStock(order.id)).restored ? "stock returned" : "nothing to return",
    },
  },
  chargePayment: {
    name: "charge-payment",
    run: async ({ payment }: Pick<StepPorts, "payment">, { order, reservation }: StepState): Promise<StepOutcome> => {
      const total = reservation?.totalCents ?? 0;
      // Free items: there is nothing to charge, and Payment refuses a zero charge (it would move
      // no money). Skipping it leaves no charge, so the refund compensation stays a no-op.
      if (!reservation || total === 0) return { outcome: "skipped", detail: "total 0: nothing to charge" };
      // The currency is the reservation's, as the total: Inventory keeps it with the order's
      // reserved lines and answers it again to a replica that takes the saga over, so every
      // driver charges the same balance.
      const { chargeId } = await payment.charge(order.id, order.customerId, total, reservation.currency);
      return { outcome: "done", detail: `charge ${chargeId}` };
    },
    compensate: {
      name: "refund-payment",
      run: async ({ payment }: Pick<StepPorts, "payment">, order: CompensationTarget): Promise<string> =>
        (await payment.refund(order.id)).refunded ? "money returned" : "nothing to refund",
    },
  },
  assignRider: {
    name: "assign-rider",
    /** Claims the nearest free rider for the order (idempotent by order id); answers the rider's id. */
    run: async (
      { riders }: Pick<StepPorts, "riders">,
      { orderId, at }: { readonly orderId: string; readonly at: Location },
    ): Promise<string> => (await riders.assignNearest(orderId, at.lat, at.lon)).riderId,
    /**
     * Frees the rider of a delivered order. A release that frees nothing is an error
     * (RIDER_NOT_RELEASED), so it is retried and dead-lettered rather than recorded done: the rider
     * service answers a repeat released, so only a release it cannot match to a rider it holds gets here.
     */
    compensate: {
      name: "release-rider",
      run: async ({ riders }: Pick<StepPorts, "riders">, order: CompensationTarget): Promise<string> => {
        const { released } = await riders.release(order.id, order.riderId ?? undefined);
        if (!released) throw orderErrors.riderNotReleased(order.id, order.riderId);
        return "";
      },
    },
  },
} as const satisfies Record<string, StepShape>;

type OrderSteps = typeof orderSteps;

/** The name of a compensation, as history entries and dead letters store it. */
export type CompensationName = OrderSteps[keyof OrderSteps]["compensate"]["name"];

/** A compensation of the registry, given every port. */
export interface Compensation {
  readonly name: CompensationName;
  run(ports: StepPorts, order: CompensationTarget): Promise<string>;
}

/** Every compensation, in step order. */
export const compensations: readonly Compensation[] = Object.values(orderSteps).map((step) => step.compensate);

/** The compensation a dead letter names; undefined for a name no step has. */
export const compensationNamed = (name: string): Compensation | undefined => compensations.find((c) => c.name === name);
