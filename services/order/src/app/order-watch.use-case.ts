import { isTerminal, orderVersion, type Order } from "../domain/order";
import { orderErrors } from "../domain/order.errors";
import { parseOrderId } from "../domain/order-id";
import type { OrderChanges } from "./order-changes.port";
import type { OrderRepository } from "./order.repository.port";

/** One state of a watched order, and its version (see `orderVersion`). */
export interface OrderSnapshot {
  readonly order: Order;
  readonly version: number;
}

export interface OrderWatchOptions {
  /**
   * How often a watched order is read again without being told of a change: a safety net only (a
   * notification is never expected to go missing unreported), so it may be long.
   */
  readonly rereadMs: number;
}

/**
 * Watching orders: each watcher gets the order as it is, then each newer version as the change feed
 * tells of one, until a terminal state. A change tells only that an order changed; the order is read
 * again, so notifications that arrive together or twice cost one read and send nothing twice.
 */
export class OrderWatch {
  private readonly stopping = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly repo: Pick<OrderRepository, "get">,
    private readonly changes: OrderChanges,
    private readonly options: OrderWatchOptions,
  ) {}

  /**
   * The order now, then each newer version, ending after a terminal one (FAILED, DELIVERED), when
   * `signal` aborts, or when the watch is closed (the service stopping). ORDER_NOT_FOUND when there is
   * no such order.
   */
  async *watch(rawId: string, signal: AbortSignal): AsyncGenerator<OrderSnapshot> {
    const id = parseOrderId(rawId);
    if (id === null) throw orderErrors.orderNotFound(rawId);
    let changed = true;
    let wake: (() => void) | null = null;
    const poke = () => {
      changed = true;
      wake?.();
    };
    // Subscribed before the first read: a change written meanwhile is read, not missed.
    const unsubscribe = this.changes.subscribe(id, poke);
    signal.addEventListener("abort", poke);
    this.stopping.add(poke);
    try {
      let sent = -1;
      for (;;) {
        if (signal.aborted || this.closed) return;
        if (!changed) await this.until((resolve) => (wake = resolve));
        wake = null;
        if (signal.aborted || this.closed) return;
        changed = false;
        const order = await this.repo.get(id);
        if (order === null) throw orderErrors.orderNotFound(rawId);
        const version = orderVersion(order);
        if (version > sent) {
          sent = version;
          yield { order, version };
        }
        if (isTerminal(order.status)) return;
      }
    } finally {
      unsubscribe();
      signal.removeEventListener("abort", poke);
      this.stopping.delete(poke);
    }
  }

  /** Ends every watch (each stream ends as if cut: its watcher comes back to another replica). */
  close(): void {
    this.closed = true;
    for (const poke of [...this.stopping]) poke();
  }

  /** Waits for a poke or the safety re-read, whichever comes first. */
  private async until(setWake: (resolve: () => void) => void): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      setWake(resolve);
      timer = setTimeout(resolve, this.options.rereadMs);
    });
    clearTimeout(timer);
  }
}
