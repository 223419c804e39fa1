import { isAppError } from "@qc/platform/errors";
import { failureCode, historyEntry as entry } from "../domain/history";
import type { FailureReason, Order } from "../domain/order";
import { Compensator, describeError, type CompensationPolicy } from "./compensator";
import type { DeadLetterRepository } from "./dead-letter.repository.port";
import type { InventoryPort, PaymentPort } from "./dependencies.port";
import { LeaseLostError, type NewHistory, type OrderRepository } from "./order.repository.port";
import { orderSteps, type CompensationName, type StepState } from "./order-steps";
import { compensateAll, compensationsOf, runSaga, type SagaFailure, type SagaHooks, type SagaStep } from "./saga";
import { unobservedSaga, type SagaObserver } from "./saga-observer.port";

export interface OrderSagaContext extends StepState {
  /** History not yet written; flushed with the next durable write. */
  readonly history: NewHistory[];
  /** History this run has written, to answer with the final order without reading it back. */
  readonly written: NewHistory[];
  /** When this run began (ms since the epoch), for its duration. */
  readonly startedAt: number;
  readonly takenOver: boolean;
}

export interface OrderSagaDeps {
  readonly orders: OrderRepository;
  readonly deadLetters: DeadLetterRepository;
  readonly inventory: InventoryPort;
  readonly payment: PaymentPort;
  /** This replica's identity, written as the lease owner of the sagas it drives. */
  readonly owner: string;
  readonly compensation: CompensationPolicy;
  readonly newId: () => string;
  /** Traces, metrics and logs of the saga; none by default. */
  readonly observer?: SagaObserver;
}

/** The saga's steps, from the registry: reserve stock, then charge. */
const SAGA_STEPS = [orderSteps.reserveStock, orderSteps.chargePayment] as const;
type SagaCompensation = (typeof SAGA_STEPS)[number]["compensate"];

/** The failure reason a customer sees for a saga that stopped at `failure`. */
export function failureReasonOf(failure: SagaFailure): FailureReason {
  if (
    isAppError(failure.error) &&
    (failure.error.code === "OUT_OF_STOCK" || failure.error.code === "PAYMENT_DECLINED")
  ) {
    return failure.error.code;
  }
  const unavailable = !failure.certain || (isAppError(failure.error) && failure.error.kind === "unavailable");
  return unavailable ? "SERVICE_UNAVAILABLE" : "REJECTED";
}

/**
 * The order saga (docs/design.md §4): reserve stock → charge → CONFIRMED, each step with its compensation.
 * Every step is idempotent by order id, so a replica that takes over a crashed saga simply drives it
 * again from the start.
 */
export class OrderSaga {
  private readonly steps: readonly SagaStep<OrderSagaContext, SagaCompensation>[];
  private readonly observer: SagaObserver;
  private readonly compensator: Compensator;
  private readonly ports: Pick<OrderSagaDeps, "inventory" | "payment">;

  constructor(private readonly deps: OrderSagaDeps) {
    this.observer = deps.observer ?? unobservedSaga;
    this.compensator = new Compensator({
      deadLetters: deps.deadLetters,
      policy: deps.compensation,
      newId: deps.newId,
      observer: this.observer,
    });
    this.ports = { inventory: deps.inventory, payment: deps.payment };
    this.steps = SAGA_STEPS.map((step) => ({
      name: step.name,
      run: (ctx: OrderSagaContext) =>
        this.observer.step({ orderId: ctx.order.id, name: step.name, compensation: false, attempt: 1 }, async () => {
          const { outcome, detail } = await step.run(this.ports, ctx);
          ctx.history.push(entry(step.name, outcome, detail));
        }),
      compensate: step.compensate,
    }));
  }

  /**
   * Drives a PENDING order this replica holds the lease of to CONFIRMED or FAILED, and answers with
   * the final order; null when there was nothing (left) for this replica to drive. `takenOver` marks
   * a saga another replica started and left unfinished.
   */
  async drive(orderOrId: string | Order, takenOver = false): Promise<Order | null> {
    // A new order is passed in as written (no read back); a taken-over one is read.
    const order = typeof orderOrId === "string" ? await this.deps.orders.get(orderOrId) : orderOrId;
    // Only the lease holder drives; every write of the saga is fenced by the lease as well, for a
    // driver that outlived its lease (its idempotent calls are then harmless repeats).
    if (!order || order.status !== "PENDING" || order.sagaOwner !== this.deps.owner) return null;
    // The lease names the replica, not the drive: a replica frozen past its own lease claims its own
    // stale sagas on waking, and its writes would pass the fence beside those of the drive it resumes.
    if (this.driving.has(order.id)) return null;
    this.driving.add(order.id);
    try {
      return await this.observer.saga(order.id, () => this.run(order, takenOver));
    } finally {
      this.driving.delete(order.id);
    }
  }

  /** Sagas this replica is driving right now. */
  private readonly driving = new Set<string>();

  private async run(order: Order, takenOver: boolean): Promise<Order | null> {
    const ctx: OrderSagaContext = {
      order,
      reservation: null,
      history: [],
      written: [],
      startedAt: Date.now(),
      takenOver,
    };
    if (takenOver) ctx.history.push(entry("saga", "taken-over", `by ${this.deps.owner}`));
    try {
      if (order.failureReason) {
        // A driver decided to fail and died while compensating: finish its compensations.
        ctx.history.push(entry("saga", "resumed", `compensating after ${order.failureReason}`));
        await compensateAll(compensationsOf(this.steps), ctx, this.hooks);
        return await this.finish(ctx, "FAILED", order.failureReason);
      }
      const outcome = await runSaga(this.steps, ctx, this.hooks, { resumed: takenOver });
      if (outcome.ok) {
        ctx.history.push(entry("saga", "confirmed"));
        return await this.finish(ctx, "CONFIRMED", null);
      }
      const reason = failureReasonOf(outcome.failure);
      ctx.history.push(entry("saga", "failed", reason, reason));
      return await this.finish(ctx, "FAILED", reason);
    } catch (err) {
      if (err instanceof LeaseLostError) return null; // another replica drives it now
      throw err;
    }
  }

  private async finish(
    ctx: OrderSagaContext,
    status: "CONFIRMED" | "FAILED",
    reason: FailureReason | null,
  ): Promise<Order> {
    const history = ctx.history.splice(0);
    const updatedAt = await this.deps.orders.finish(
      ctx.order.id,
      this.deps.owner,
      status,
      reason,
      ctx.reservation,
      history,
    );
    ctx.written.push(...history);
    this.observer.finished({
      orderId: ctx.order.id,
      status,
      reason,
      seconds: (Date.now() - ctx.startedAt) / 1000,
      takenOver: ctx.takenOver,
    });
    // The order as the statement left it (what a read would show), with no read: the caller answers it.
    const { order, reservation } = ctx;
    const reserved = new Map(reservation?.lines.map((l) => [l.sku, l.priceCents]));
    return {
      ...order,
      status,
      failureReason: reason,
      lines: order.lines.map((l) => ({ ...l, priceCents: reserved.get(l.sku) ?? l.priceCents })),
      totalCents: reservation?.totalCents ?? order.totalCents,
      currency: reservation?.currency ?? order.currency,
      history: [...order.history, ...ctx.written],
      sagaOwner: null,
      updatedAt,
    };
  }

  private readonly hooks: SagaHooks<OrderSagaContext, SagaCompensation> = {
    onFailing: async (ctx, failure) => {
      ctx.history.push(
        entry(
          failure.step,
          failure.certain ? "refused" : "failed",
          describeError(failure.error),
          failureCode(failure.error),
        ),
      );
      const history = ctx.history.splice(0);
      await this.deps.orders.recordFailing(
        ctx.order.id,
        this.deps.owner,
        failureReasonOf(failure),
        ctx.reservation,
        history,
      );
      ctx.written.push(...history);
    },
    compensate: (ctx, compensation) =>
      this.compensator.run(ctx.order.id, compensation.name, () => compensation.run(this.ports, ctx.order), ctx.history),
  };

  /**
   * Runs a compensation of the registry that is not part of the forward saga — such as freeing a
   * rider after delivery — with the same retries and dead letter as the saga's, and records it in
   * the order's history.
   */
  async compensateOutsideSaga(order: Order, name: CompensationName, run: () => Promise<string>): Promise<void> {
    const history: NewHistory[] = [];
    await this.compensator.run(order.id, name, run, history);
    await this.deps.orders.appendHistory(order.id, history);
  }
}
