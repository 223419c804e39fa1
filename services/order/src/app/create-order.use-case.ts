import { AppError, overloaded, valueOrThrow } from "@qc/platform/errors";
import { isFinal, type Order } from "../domain/order";
import { orderErrors } from "../domain/order.errors";
import { checkPayable, type CatalogItem } from "../domain/order-pricing";
import { validateOrderRequest, type OrderRequest } from "../domain/order-request";
import type { DependencyHealth, InventoryPort } from "./dependencies.port";
import { storedOrder } from "./get-order.use-case";
import type { OrderRepository } from "./order.repository.port";
import type { SagaRuns } from "./saga-runs";

export interface CreateOrderOptions {
  readonly owner: string;
  readonly leaseMs: number;
  readonly newId: () => string;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Time kept back from the caller's deadline to send the answer (PENDING at worst) before it. */
export const ANSWER_MARGIN_MS = 50;

export interface CreateOrderResult {
  /** The order as stored when the answer is sent: what a read right after shows. */
  readonly order: Order;
  /** True when the idempotency key matched an earlier request and nothing new was created. */
  readonly replayed: boolean;
}

const MAX_KNOWN_SKUS = 100_000;
const CIRCUIT_OPEN = "CIRCUIT_OPEN";
const isCircuitOpen = (err: unknown): boolean => err instanceof AppError && err.code === CIRCUIT_OPEN;

/** Places an order: writes it PENDING, then drives its saga (detached) and answers the stored order. */
export class CreateOrder {
  /**
   * Price and currency of skus Inventory has confirmed exist. Products are never deleted nor
   * repriced, so a sku once seen stays as it was and the check costs no round trip after the first
   * order for it; unknown skus are always asked.
   */
  private readonly knownSkus = new Map<string, CatalogItem>();

  constructor(
    private readonly repo: Pick<OrderRepository, "create" | "get" | "findByIdempotencyKey">,
    private readonly inventory: Pick<InventoryPort, "catalog">,
    private readonly sagas: Pick<SagaRuns, "start">,
    private readonly health: DependencyHealth,
    private readonly options: CreateOrderOptions,
  ) {}

  /**
   * Answers when the saga ends or after `waitMs`, whichever comes first; the saga goes on regardless.
   * `deadline` (ms since the epoch) is the caller's: the answer is sent before it, and an order that
   * could not be written before it is not written at all (OVERLOADED) — no work for a caller who has
   * given up. Once written, the order's saga runs to its end, detached from the caller.
   */
  async execute(
    request: OrderRequest,
    waitMs: number,
    deadline = Number.POSITIVE_INFINITY,
  ): Promise<CreateOrderResult> {
    const req = valueOrThrow(validateOrderRequest(request));
    const timeLeft = () => deadline - ANSWER_MARGIN_MS - Date.now();
    if (timeLeft() <= 0) throw overloaded("not enough time left before the caller's deadline to take the order");
    // A key is taken to be new: its lookup is a round trip on every order, and a repeat finds out at
    // the insert. A refusal first asks whether the request is a repeat, answered as stored (a reused
    // key with another body is that, not a bad body) — except an open circuit's, which fails at once
    // and touches nothing: a repeat is answered once the circuit has closed (Retry-After).
    let created: Order | null;
    try {
      created = await this.write(req, timeLeft);
    } catch (refusal) {
      if (req.idempotencyKey === null || isCircuitOpen(refusal)) throw refusal;
      const replay = await this.replay(req, Math.min(waitMs, timeLeft()));
      if (replay) return replay;
      throw refusal;
    }
    if (!created) {
      // The key was taken (by an earlier request, or a concurrent one that won the insert).
      const replay = await this.replay(req, Math.min(waitMs, timeLeft()));
      if (replay) return replay;
      throw orderErrors.idempotencyKeyReused();
    }
    // The saga starts from the order as stored, and the answer is the order as stored when it is sent:
    // the saga's end as its writes returned it, or else (still running) its progress so far, read.
    const ended = await within(this.sagas.start(created), Math.min(waitMs, timeLeft()));
    return { order: ended ?? (await storedOrder(this.repo, created.id)), replayed: false };
  }

  /** Writes the order PENDING, unless it could only fail; null when its idempotency key is taken. */
  private async write(req: OrderRequest, timeLeft: () => number): Promise<Order | null> {
    // With a dependency known to be down, refuse before writing anything: the order could only fail.
    const open = this.health.openCircuits();
    if (open.length > 0)
      throw new AppError("unavailable", CIRCUIT_OPEN, `Circuit Open: ${open.join(", ")} unavailable`);
    // An order that can never be paid (unknown sku, mixed currencies, a total Payment refuses) is
    // refused now, before it is written: failing it in the saga answered 503 and every retry alike.
    valueOrThrow(checkPayable(req.lines, await this.catalog(req.lines.map((l) => l.sku))));
    // Waiting (for a connection, for Inventory) may have used up the caller's time: write nothing then.
    if (timeLeft() <= 0) throw overloaded("the caller's deadline passed before the order could be taken");
    return this.repo.create({
      id: this.options.newId(),
      customerId: req.customerId,
      lines: req.lines.map((l) => ({ ...l, priceCents: 0 })),
      deliveryLocation: req.deliveryLocation,
      idempotencyKey: req.idempotencyKey,
      requestHash: req.requestHash,
      leaseOwner: this.options.owner,
      leaseMs: this.options.leaseMs,
    });
  }

  private async replay(req: OrderRequest, waitMs: number): Promise<CreateOrderResult | null> {
    const earlier = await this.repo.findByIdempotencyKey(req.customerId, req.idempotencyKey ?? "");
    if (!earlier) return null;
    if (earlier.requestHash !== req.requestHash) throw orderErrors.idempotencyKeyReused();
    const deadline = Date.now() + waitMs;
    let order = await storedOrder(this.repo, earlier.orderId);
    while (!isFinal(order.status) && Date.now() < deadline) {
      await this.options.sleep(Math.min(50, deadline - Date.now()));
      order = await storedOrder(this.repo, earlier.orderId);
    }
    return { order, replayed: true };
  }

  /** What the catalog says of `skus`, from memory for the ones seen before; unknown skus are left out. */
  private async catalog(skus: readonly string[]): Promise<ReadonlyMap<string, CatalogItem>> {
    const found = new Map<string, CatalogItem>();
    const unseen: string[] = [];
    for (const sku of skus) {
      const item = this.knownSkus.get(sku);
      if (item) found.set(sku, item);
      else unseen.push(sku);
    }
    if (unseen.length === 0) return found;
    const asked = await this.inventory.catalog(unseen);
    if (this.knownSkus.size > MAX_KNOWN_SKUS) this.knownSkus.clear();
    for (const [sku, item] of asked) {
      this.knownSkus.set(sku, item);
      found.set(sku, item);
    }
    return found;
  }
}

/** The work's result if it ends within `ms`, else undefined (the work goes on). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
