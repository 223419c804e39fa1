import { historyEntry } from "../domain/history";
import { isFinal, type Order } from "../domain/order";
import { orderErrors } from "../domain/order.errors";
import { parseOrderId } from "../domain/order-id";
import { checkPayable, type CatalogItem } from "../domain/order-pricing";
import { validateOrderRequest, type OrderRequest } from "../domain/order-request";
import { AppError, overloaded, valueOrThrow } from "@qc/platform/errors";
import type { DependencyHealth, InventoryPort } from "./dependencies.port";
import type { OrderFilter, OrderRepository } from "./order.repository.port";
import type { OrderSaga } from "./order-saga";
import type { RiderDispatch } from "./rider-dispatch.use-case";

export interface OrdersOptions {
  readonly owner: string;
  readonly leaseMs: number;
  readonly newId: () => string;
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * Runs a saga apart from the request that started it: once its order is written, a saga must finish
   * (or compensate) whatever its caller does, so it must not inherit the caller's deadline.
   */
  readonly detach?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** Time kept back from the caller's deadline to send the answer (PENDING at worst) before it. */
export const ANSWER_MARGIN_MS = 50;

export interface CreateOrderResult {
  readonly order: Order;
  /** True when the idempotency key matched an earlier request and nothing new was created. */
  readonly replayed: boolean;
}

/** A page of orders; `nextPageToken` is empty on the last one. */
export interface OrderPage {
  readonly orders: readonly Order[];
  readonly nextPageToken: string;
}

const MAX_PAGE = 100;
const MAX_KNOWN_SKUS = 100_000;

/** Placing and reading orders. Placing writes the order PENDING, then drives its saga. */
export class Orders {
  private readonly running = new Set<Promise<unknown>>();
  /**
   * Price and currency of skus Inventory has confirmed exist. Products are never deleted nor
   * repriced, so a sku once seen stays as it was and the check costs no round trip after the first
   * order for it; unknown skus are always asked.
   */
  private readonly knownSkus = new Map<string, CatalogItem>();

  constructor(
    private readonly repo: OrderRepository,
    private readonly inventory: InventoryPort,
    private readonly saga: OrderSaga,
    private readonly dispatch: Pick<RiderDispatch, "assign">,
    private readonly health: DependencyHealth,
    private readonly options: OrdersOptions,
  ) {}

  /**
   * Answers when the saga ends or after `waitMs`, whichever comes first; the saga goes on regardless.
   * `deadline` (ms since the epoch) is the caller's: the answer is sent before it, and an order that
   * could not be written before it is not written at all (OVERLOADED) — no work for a caller who has
   * given up. Once written, the order's saga runs to its end, detached from the caller.
   */
  async create(request: OrderRequest, waitMs: number, deadline = Number.POSITIVE_INFINITY): Promise<CreateOrderResult> {
    const req = valueOrThrow(validateOrderRequest(request));
    const timeLeft = () => deadline - ANSWER_MARGIN_MS - Date.now();
    if (timeLeft() <= 0) throw overloaded("not enough time left before the caller's deadline to take the order");
    if (req.idempotencyKey !== null) {
      const replay = await this.replay(req, Math.min(waitMs, timeLeft()));
      if (replay) return replay;
    }
    // With a dependency known to be down, refuse before writing anything: the order could only fail.
    const open = this.health.openCircuits();
    if (open.length > 0) throw new AppError("unavailable", "CIRCUIT_OPEN", `Circuit Open: ${open.join(", ")} unavailable`);
    // An order that can never be paid (unknown sku, mixed currencies, a total Payment refuses) is
    // refused now, before it is written: failing it in the saga answered 503 and every retry alike.
    valueOrThrow(checkPayable(req.lines, await this.catalog(req.lines.map((l) => l.sku))));
    // Waiting (for a connection, for Inventory) may have used up the caller's time: write nothing then.
    if (timeLeft() <= 0) throw overloaded("the caller's deadline passed before the order could be taken");

    const id = this.options.newId();
    const lines = req.lines.map((l) => ({ ...l, priceCents: 0 }));
    const now = new Date();
    const created = await this.repo.create({
      id,
      customerId: req.customerId,
      lines,
      deliveryLocation: req.deliveryLocation,
      idempotencyKey: req.idempotencyKey,
      requestHash: req.requestHash,
      leaseOwner: this.options.owner,
      leaseMs: this.options.leaseMs,
    });
    if (!created) {
      // A concurrent request with the same key won the insert.
      const replay = await this.replay(req, Math.min(waitMs, timeLeft()));
      if (replay) return replay;
      throw orderErrors.idempotencyKeyReused();
    }
    const pending: Order = {
      id,
      customerId: req.customerId,
      status: "PENDING",
      lines,
      totalCents: 0,
      currency: "",
      failureReason: null,
      riderId: null,
      deliveryLocation: req.deliveryLocation,
      createdAt: now,
      updatedAt: now,
      history: [{ ...historyEntry("order", "created"), at: now }],
      sagaOwner: this.options.owner,
    };
    const detach = this.options.detach ?? ((work) => work());
    const finished = await this.within(this.track(detach(() => this.driveAndDispatch(pending, false))), Math.min(waitMs, timeLeft()));
    return { order: finished ?? (await this.mustGet(id)), replayed: false };
  }

  /** The order, whatever case its id is typed in; answered under its stored id. */
  async get(id: string): Promise<Order> {
    const canonical = parseOrderId(id);
    if (canonical === null) throw orderErrors.orderNotFound(id);
    return this.mustGet(canonical);
  }

  /** One customer's orders, newest first. */
  list(customerId: string, pageSize: number, pageToken: string): Promise<OrderPage> {
    return this.search({ customerId, status: null }, pageSize, pageToken);
  }

  /** The orders `filter` matches (every customer's, for operations staff), newest first; pages as `list` does. */
  async search(filter: OrderFilter, pageSize: number, pageToken: string): Promise<OrderPage> {
    const limit = Math.min(Math.max(pageSize || 20, 1), MAX_PAGE);
    const page = await this.repo.list(filter, limit, pageToken || null);
    return { orders: page.orders, nextPageToken: page.nextCursor ?? "" };
  }

  /** Drives an order whose saga this replica has just taken over. */
  async resume(id: string): Promise<void> {
    await this.track(this.driveAndDispatch(id, true));
  }

  /** The saga, then (once paid for) the first try to get a rider; it never fails the order. */
  private async driveAndDispatch(orderOrId: string | Order, takenOver: boolean): Promise<Order | null> {
    const order = await this.saga.drive(orderOrId, takenOver);
    return order?.status === "CONFIRMED" ? this.dispatch.assign(order) : order;
  }

  /** Waits for every saga this replica is driving (for a graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private async replay(req: OrderRequest, waitMs: number): Promise<CreateOrderResult | null> {
    const earlier = await this.repo.findByIdempotencyKey(req.customerId, req.idempotencyKey ?? "");
    if (!earlier) return null;
    if (earlier.requestHash !== req.requestHash) throw orderErrors.idempotencyKeyReused();
    const deadline = Date.now() + waitMs;
    let order = await this.mustGet(earlier.orderId);
    while (!isFinal(order.status) && Date.now() < deadline) {
      await this.options.sleep(Math.min(50, deadline - Date.now()));
      order = await this.mustGet(earlier.orderId);
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

  private track<T>(saga: Promise<T>): Promise<T> {
    const tracked = saga.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return tracked;
  }

  /** The work's result, or undefined when `ms` passed first (the work goes on). */
  private async within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private async mustGet(id: string): Promise<Order> {
    const order = await this.repo.get(id);
    if (!order) throw orderErrors.orderNotFound(id);
    return order;
  }
}
