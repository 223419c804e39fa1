import { historyEntry } from "../domain/history";
import { orderErrors } from "../domain/order.errors";
import { describeError } from "./compensator";
import type { DeadLetter, DeadLetterRepository, DeadLetterStatus } from "./dead-letter.repository.port";
import type { InventoryPort, PaymentPort, RiderPort } from "./dependencies.port";
import type { OrderRepository } from "./order.repository.port";
import { compensationNamed, type StepPorts } from "./order-steps";

const MAX_REDRIVE_DELAY_MS = 5 * 60_000;

/**
 * Reconciliation of compensations that failed all their retries: listed and replayed by an admin,
 * and redriven in the background with a growing delay. Compensations are idempotent and each dead
 * letter is locked while it runs, so a replay never compensates twice. The compensation is the one
 * the order's steps define under the name the dead letter stores (`order-steps.ts`).
 */
export class DeadLetters {
  private readonly ports: StepPorts;

  constructor(
    private readonly repo: DeadLetterRepository,
    private readonly orders: OrderRepository,
    inventory: InventoryPort,
    payment: PaymentPort,
    riders: RiderPort,
    private readonly baseDelayMs: number,
  ) {
    this.ports = { inventory, payment, riders };
  }

  list(status: DeadLetterStatus | null): Promise<DeadLetter[]> {
    return this.repo.list(status, 500);
  }

  /** Runs the compensation now; resolves the entry, or throws DEAD_LETTER_STILL_FAILING. */
  async replay(id: string): Promise<DeadLetter> {
    const result = await this.repo.withLocked(id, (entry) => this.attempt(entry, "replay"));
    if (result === null) throw orderErrors.deadLetterNotFound(id);
    if (result.status !== "resolved") throw orderErrors.deadLetterStillFailing(result.error);
    return result;
  }

  /** Retries the dead letters that are due; returns how many it resolved. */
  async redriveDue(max = 20): Promise<number> {
    let resolved = 0;
    for (let i = 0; i < max; i++) {
      const entry = await this.repo.withLocked(null, (e) => this.attempt(e, "redrive"));
      if (entry === null) break;
      if (entry.status === "resolved") resolved++;
    }
    return resolved;
  }

  private async attempt(entry: DeadLetter, how: string) {
    if (entry.status === "resolved") return { resolved: true, result: entry };
    const compensation = compensationNamed(entry.step);
    try {
      if (!compensation) throw new Error(`no compensation named ${entry.step}`);
      // The order as stored names its rider, whom a rider's release frees (as after the delivery).
      const order = await this.orders.get(entry.orderId);
      await compensation.run(this.ports, { id: entry.orderId, riderId: order?.riderId ?? null });
      await this.orders.appendHistory(entry.orderId, [
        historyEntry(compensation.name, "done", `dead letter resolved by ${how}`),
      ]);
      const now = new Date();
      return {
        resolved: true,
        result: { ...entry, status: "resolved" as const, attempts: entry.attempts + 1, updatedAt: now },
      };
    } catch (err) {
      const error = describeError(err);
      const delay = Math.min(this.baseDelayMs * 2 ** entry.attempts, MAX_REDRIVE_DELAY_MS);
      const retryAt = new Date(Date.now() + delay);
      return {
        resolved: false,
        error,
        retryAt,
        result: { ...entry, error, attempts: entry.attempts + 1, nextAttemptAt: retryAt },
      };
    }
  }
}
