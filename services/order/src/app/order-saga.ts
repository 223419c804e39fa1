import { isAppError } from "@qc/platform/errors";
import { failureCode, historyEntry as entry } from "../domain/history";
import type { FailureReason, Order } from "../domain/order";
import type { DeadLetterRepository } from "./dead-letter.repository.port";
import type { InventoryPort, PaymentPort } from "./dependencies.port";
import { LeaseLostError, type NewHistory, type OrderRepository, type Reservation } from "./order.repository.port";
import { compensateAll, compensationsOf, runSaga, type SagaFailure, type SagaHooks, type SagaStep } from "./saga";
import { unobservedSaga, type SagaObserver } from "./saga-observer.port";

export interface OrderSagaContext {
  readonly order: Order;
  /** Set once stock is reserved. */
  reservation: Reservation | null;
  /** History not yet written; flushed with the next durable write. */
  readonly history: NewHistory[];
  /** History this run has written, to answer with the final order without reading it back. */
  readonly written: NewHistory[];
  /** When this run began (ms since the epoch), for its duration. */
  readonly startedAt: number;
  readonly takenOver: boolean;
}

export interface CompensationPolicy {
  /** Attempts in all before a compensation becomes a dead letter. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles after each. */
  readonly backoffMs: number;
  /** When the background redrive first retries a new dead letter. */
  readonly deadLetterRetryMs: number;
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
  readonly sleep: (ms: number) => Promise<void>;
  /** Traces, metrics and logs of the saga; none by default. */
  readonly observer?: SagaObserver;
}


const describe = (err: unknown): string =>
  isAppError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);

/** The failure reason a customer sees for a saga that stopped at `failure`. */
export function failureReasonOf(failure: SagaFailure): FailureReason {
  if (isAppError(failure.error) && (failure.error.code === "OUT_OF_STOCK" || failure.error.code === "PAYMENT_DECLINED")) {
    return failure.error.code;
  }
  const unavailable = !failure.certain || (isAppError(failure.error) && failure.error.kind === "unavailable");
  return unavailable ? "SERVICE_UNAVAILABLE" : "REJECTED";
}

/**
 * The order saga (DESIGN §4): reserve stock → charge → CONFIRMED, each step with its compensation.
 * Every step is idempotent by order id, so a replica that takes over a crashed saga simply drives it
 * again from the start.
 */
export class OrderSaga {
  private readonly steps: readonly SagaStep<OrderSagaContext>[];
  private readonly observer: SagaObserver;

  constructor(private readonly deps: OrderSagaDeps) {
    const { inventory, payment } = deps;
    this.observer = deps.observer ?? unobservedSaga;
    const observer = this.observer;
    const observed = (step: SagaStep<OrderSagaContext>): SagaStep<OrderSagaContext> => ({
      ...step,
      run: (ctx) => observer.step({ orderId: ctx.order.id, name: step.name, compensation: false, attempt: 1 }, () => step.run(ctx)),
    });
    const steps: SagaStep<OrderSagaContext>[] = [
      {
        name: "reserve-stock",
        run: async (ctx) => {
          const reserved = await inventory.deductStock(ctx.order.id, ctx.order.lines);
          const prices = new Map(reserved.lines.map((l) => [l.sku, l.unitPriceCents]));
          ctx.reservation = {
            lines: ctx.order.lines.map((l) => ({ ...l, priceCents: prices.get(l.sku) ?? 0 })),
            totalCents: reserved.totalCents,
            currency: reserved.currency,
          };
          ctx.history.push(entry("reserve-stock", "done", `total ${reserved.totalCents} ${reserved.currency}`));
        },
        compensation: {
          name: "release-stock",
          run: async (ctx) => {
            const { restored } = await inventory.addStock(ctx.order.id);
            ctx.history.push(entry("release-stock", "done", restored ? "stock returned" : "nothing to return"));
          },
        },
      },
      {
        name: "charge-payment",
        run: async (ctx) => {
          const total = ctx.reservation?.totalCents ?? 0;
          // Free items: there is nothing to charge, and Payment refuses a zero charge (it would move
          // no money). Skipping it leaves no charge, so the refund compensation stays a no-op.
          if (!ctx.reservation || total === 0) {
            ctx.history.push(entry("charge-payment", "skipped", "total 0: nothing to charge"));
            return;
          }
          // The currency is the reservation's, as the total: Inventory keeps it with the order's
          // reserved lines and answers it again to a replica that takes the saga over, so every
          // driver charges the same balance.
          const { chargeId } = await payment.charge(ctx.order.id, ctx.order.customerId, total, ctx.reservation.currency);
          ctx.history.push(entry("charge-payment", "done", `charge ${chargeId}`));
        },
        compensation: {
          name: "refund-payment",
          run: async (ctx) => {
            const { refunded } = await payment.refund(ctx.order.id);
            ctx.history.push(entry("refund-payment", "done", refunded ? "money returned" : "nothing to refund"));
          },
        },
      },
    ];
    this.steps = steps.map(observed);
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
    const ctx: OrderSagaContext = { order, reservation: null, history: [], written: [], startedAt: Date.now(), takenOver };
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

  private async finish(ctx: OrderSagaContext, status: "CONFIRMED" | "FAILED", reason: FailureReason | null): Promise<Order> {
    const history = ctx.history.splice(0);
    await this.deps.orders.finish(ctx.order.id, this.deps.owner, status, reason, ctx.reservation, history);
    ctx.written.push(...history);
    this.observer.finished({ orderId: ctx.order.id, status, reason, seconds: (Date.now() - ctx.startedAt) / 1000, takenOver: ctx.takenOver });
    const { order, reservation } = ctx;
    return {
      ...order,
      status,
      failureReason: reason,
      lines: reservation?.lines ?? order.lines,
      totalCents: reservation?.totalCents ?? order.totalCents,
      currency: reservation?.currency ?? order.currency,
      history: [...order.history, ...ctx.written],
      updatedAt: history.at(-1)?.at ?? new Date(),
    };
  }

  private readonly hooks: SagaHooks<OrderSagaContext> = {
    onFailing: async (ctx, failure) => {
      ctx.history.push(entry(failure.step, failure.certain ? "refused" : "failed", describe(failure.error), failureCode(failure.error)));
      const history = ctx.history.splice(0);
      await this.deps.orders.recordFailing(ctx.order.id, this.deps.owner, failureReasonOf(failure), ctx.reservation, history);
      ctx.written.push(...history);
    },
    compensate: async (ctx, compensation) => {
      await this.withRetries(ctx.order.id, compensation.name, () => compensation.run(ctx), ctx.history);
    },
  };

  /**
   * Runs an idempotent undo (or clean-up) that is not part of the forward saga — such as freeing a
   * rider after delivery — with the same retries and dead letter as a compensation.
   */
  async compensateOutsideSaga(order: Order, name: string, run: () => Promise<unknown>): Promise<void> {
    const history: NewHistory[] = [];
    await this.withRetries(order.id, name, async () => {
      await run();
      history.push(entry(name, "done"));
    }, history);
    await this.deps.orders.appendHistory(order.id, history);
  }

  /** Up to `attempts` tries with doubling backoff, each failure in `history`; then a dead letter. */
  private async withRetries(orderId: string, name: string, run: () => Promise<unknown>, history: NewHistory[]): Promise<void> {
    const { attempts, backoffMs, deadLetterRetryMs } = this.deps.compensation;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.observer.step({ orderId, name, compensation: true, attempt }, run);
        this.observer.compensation({ orderId, step: name, outcome: "done" });
        return;
      } catch (err) {
        lastError = err;
        history.push(entry(name, "retry", `attempt ${attempt} failed: ${describe(err)}`, failureCode(err)));
        this.observer.compensation({ orderId, step: name, outcome: "retry", error: describe(err) });
        if (attempt < attempts) await this.deps.sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
    await this.deps.deadLetters.add({
      id: this.deps.newId(),
      orderId,
      step: name,
      error: describe(lastError),
      attempts,
      nextAttemptAt: new Date(Date.now() + deadLetterRetryMs),
    });
    history.push(entry(name, "dead-lettered", describe(lastError), failureCode(lastError)));
    this.observer.compensation({ orderId, step: name, outcome: "dead-lettered", error: describe(lastError) });
  }
}
