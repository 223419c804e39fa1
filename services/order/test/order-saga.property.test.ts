import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { refused } from "@qc/platform/errors";
import { fromServiceError } from "@qc/platform/grpc";
import { circuitOpen, ResilientTarget } from "@qc/platform/resilience";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Order } from "../src/domain/order";
import type { DeadLetter, DeadLetterRepository } from "../src/app/dead-letter.repository.port";
import { DeadLetters } from "../src/app/dead-letters.use-case";
import type { InventoryPort, PaymentPort, RiderPort } from "../src/app/dependencies.port";
import { LeaseLostError, type OrderRepository } from "../src/app/order.repository.port";
import { OrderSaga } from "../src/app/order-saga";
import { pendingOrder } from "../src/app/testing/pending-order";

/**
 * What one attempt of a remote call meets. `*-applied` took effect at the target although the
 * caller never learnt it; `crash-*` kills the driving replica during the call.
 */
const attemptOutcomes = [
  "ok",
  "refused",
  "deadline-applied",
  "deadline-lost",
  "unavailable",
  "reset-applied",
  "circuit-open",
  "crash-applied",
  "crash-lost",
] as const;
type AttemptOutcome = (typeof attemptOutcomes)[number];

/** What one durable write of the saga meets: the replica dies before or after it, or loses its lease. */
const writeOutcomes = ["ok", "crash-before", "crash-after", "lease-lost"] as const;
type WriteOutcome = (typeof writeOutcomes)[number];

const serviceError = (code: status): ServiceError =>
  Object.assign(new Error(status[code]), { code, details: status[code], metadata: new Metadata() });

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/**
 * One order's world: the true effects at Inventory and Payment (with their tombstones), the
 * durable order row, and scripted faults. A replica that crashes simply never hears back.
 */
class World {
  reserved = false;
  stockReleased = false;
  charged = false;
  chargeVoided = false;
  /** Whether Charge ever reached Payment: never for an order of free items. */
  chargeCalled = false;
  order: Order = pendingOrder();
  readonly deadLetters: DeadLetter[] = [];
  onCrash: () => void = () => undefined;

  constructor(
    private readonly attempts: AttemptOutcome[],
    private readonly writes: WriteOutcome[],
    /** The unit price Inventory reserves at; 0 for free items (a total of 0, confirmed without a charge). */
    private readonly unitPriceCents = 150,
  ) {}

  /** From now on every call and write succeeds (the faults have stopped). */
  heal(): void {
    this.attempts.length = 0;
    this.writes.length = 0;
  }

  private readonly ops = {
    deduct: (refuse: boolean) => {
      if (this.stockReleased) throw refused("ORDER_RELEASED", "released");
      if (!this.reserved && refuse) throw refused("OUT_OF_STOCK", "short");
      this.reserved = true;
      return {
        lines: [{ sku: "apple", quantity: 2, unitPriceCents: this.unitPriceCents }],
        totalCents: 2 * this.unitPriceCents,
        currency: "EUR",
      };
    },
    addStock: () => {
      const restored = this.reserved;
      this.reserved = false;
      this.stockReleased = true;
      return { restored };
    },
    charge: (refuse: boolean) => {
      this.chargeCalled = true;
      if (this.chargeVoided) throw refused("CHARGE_VOIDED", "voided");
      if (!this.charged && refuse) throw refused("PAYMENT_DECLINED", "declined");
      this.charged = true;
      return { chargeId: "ch-1" };
    },
    refund: () => {
      const refunded = this.charged;
      this.charged = false;
      this.chargeVoided = true;
      return { refunded };
    },
  };

  /** One attempt at the target, as the scripted fault lets it happen. */
  private async attempt<T>(op: (refuse: boolean) => T): Promise<T> {
    const outcome = this.attempts.shift() ?? "ok";
    const apply = () => {
      try {
        op(false);
      } catch {
        // its answer is lost anyway
      }
    };
    switch (outcome) {
      case "ok":
        return op(false);
      case "refused":
        return op(true);
      case "deadline-applied":
        apply();
        throw fromServiceError(serviceError(status.DEADLINE_EXCEEDED));
      case "deadline-lost":
        throw fromServiceError(serviceError(status.DEADLINE_EXCEEDED));
      case "unavailable":
        throw fromServiceError(serviceError(status.UNAVAILABLE));
      case "reset-applied":
        apply();
        throw fromServiceError(serviceError(status.INTERNAL));
      case "circuit-open":
        throw circuitOpen("target");
      case "crash-applied":
        apply();
        this.onCrash();
        return never();
      case "crash-lost":
        this.onCrash();
        return never();
    }
  }

  /** The ports of one replica: fresh breakers and retries, as a restarted process has. */
  portsOf(): { inventory: InventoryPort; payment: PaymentPort; riders: RiderPort } {
    const options = {
      timeoutMs: 1_000,
      breakerThreshold: 5,
      halfOpenAfterMs: 5_000,
      retryAttempts: 2,
      retryInitialDelayMs: 1,
    };
    const inv = new ResilientTarget("order", "inventory", options);
    const pay = new ResilientTarget("order", "payment", options);
    return {
      inventory: {
        catalog: async (skus) =>
          new Map(skus.map((sku) => [sku, { priceCents: this.unitPriceCents, currency: "EUR" }])),
        deductStock: (_id) => inv.execute(() => this.attempt(this.ops.deduct), true),
        addStock: (_id) => inv.execute(() => this.attempt(this.ops.addStock), false),
      },
      payment: {
        charge: (_id) => pay.execute(() => this.attempt(this.ops.charge), true),
        refund: (_id) => pay.execute(() => this.attempt(this.ops.refund), false),
      },
      riders: {
        assignNearest: async () => ({ riderId: "r-1" }),
        release: async () => ({ released: true }),
        hold: async () => ({ restored: false }),
      },
    };
  }

  /** A durable write fenced by the lease, as the Postgres repository does; the order's update time. */
  private async write(owner: string, apply: () => void): Promise<Date> {
    const outcome = this.writes.shift() ?? "ok";
    if (outcome === "crash-before") {
      this.onCrash();
      return never();
    }
    if (outcome === "lease-lost") this.order = { ...this.order, sagaOwner: "someone-else" };
    if (owner !== this.order.sagaOwner || this.order.status !== "PENDING") throw new LeaseLostError("lost");
    apply();
    if (outcome === "crash-after") {
      this.onCrash();
      return never();
    }
    return new Date();
  }

  readonly orders = {
    get: async () => this.order,
    recordFailing: async (_id, owner, reason, _reservation, history) => {
      await this.write(
        owner,
        () => (this.order = { ...this.order, failureReason: reason, history: [...this.order.history, ...history] }),
      );
    },
    finish: (_id, owner, status, reason, _reservation, history) =>
      this.write(
        owner,
        () =>
          (this.order = { ...this.order, status, failureReason: reason, history: [...this.order.history, ...history] }),
      ),
    appendHistory: async (_id, history) =>
      void (this.order = { ...this.order, history: [...this.order.history, ...history] }),
  } satisfies Partial<OrderRepository> as unknown as OrderRepository;

  readonly deadLetterRepo = {
    add: async (e) =>
      void this.deadLetters.push({ ...e, status: "open", createdAt: new Date(), updatedAt: new Date() }),
    withLocked: async (_id, work) => {
      const index = this.deadLetters.findIndex((d) => d.status === "open");
      const entry = this.deadLetters[index];
      if (!entry) return null;
      const { resolved, result } = await work(entry);
      if (resolved) this.deadLetters[index] = { ...entry, status: "resolved" };
      return result;
    },
  } satisfies Partial<DeadLetterRepository> as unknown as DeadLetterRepository;
}

/** Drives the order with replica after replica (each crash or lost lease hands it on) until it is final. */
async function driveToTheEnd(world: World): Promise<void> {
  for (let replica = 0; world.order.status === "PENDING" && replica < 50; replica++) {
    const owner = `replica-${replica}`;
    world.order = { ...world.order, sagaOwner: owner }; // a takeover once the lease ran out
    const { inventory, payment } = world.portsOf();
    const saga = new OrderSaga({
      orders: world.orders,
      deadLetters: world.deadLetterRepo,
      inventory,
      payment,
      owner,
      compensation: { attempts: 3, backoffMs: 0, deadLetterRetryMs: 0 },
      newId: () => `dl-${world.deadLetters.length}`,
    });
    const crashed = new Promise<void>((resolve) => (world.onCrash = resolve));
    await Promise.race([saga.drive(world.order.id, replica > 0), crashed]);
  }
}

/** The faults stop; the background redrive resolves every dead letter. */
async function redriveDeadLetters(world: World): Promise<void> {
  world.heal();
  const { inventory, payment, riders } = world.portsOf();
  await new DeadLetters(world.deadLetterRepo, world.orders, inventory, payment, riders, 0).redriveDue(100);
}

describe("the order saga under random faults (property)", () => {
  it("ends every order CONFIRMED with stock and money taken (no charge at all when free), or FAILED with neither kept", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...attemptOutcomes), { maxLength: 12 }),
        fc.array(fc.constantFrom(...writeOutcomes), { maxLength: 4 }),
        fc.boolean(),
        async (attempts, writes, free) => {
          const world = new World([...attempts], [...writes], free ? 0 : 150);
          await driveToTheEnd(world);
          expect(world.order.status).not.toBe("PENDING");
          await redriveDeadLetters(world);
          expect(world.deadLetters.filter((d) => d.status === "open")).toEqual([]);
          if (world.order.status === "CONFIRMED") {
            expect({ reserved: world.reserved, charged: world.charged }).toEqual({ reserved: true, charged: !free });
          } else {
            expect(world.order.failureReason).not.toBeNull();
            expect({ reserved: world.reserved, charged: world.charged }).toEqual({ reserved: false, charged: false });
          }
          if (free) expect(world.chargeCalled).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });
});
