import type { Listening, ListenOptions } from "@qc/platform/db";
import type { OrderChanges } from "../../app/order-changes.port";

/** The channel migration 0006's trigger notifies, with the order's id, for every history entry written. */
export const ORDER_CHANGED_CHANNEL = "order_changed";

type Listen = (channel: string, options: ListenOptions) => Promise<Listening>;

/**
 * The order change feed over Postgres LISTEN/NOTIFY: one listening connection per replica, whatever
 * the number of watchers, each told of its own order only. On a server every replica's writes
 * arrive (NOTIFY crosses sessions); embedded (PGlite), the one process's own. A gap (the listening
 * connection lost and back) tells every watcher to read its order again.
 */
export class OrderChangeFeed implements OrderChanges {
  private readonly watchers = new Map<string, Set<() => void>>();
  private listening: Listening | null = null;

  async start(listen: Listen): Promise<void> {
    this.listening = await listen(ORDER_CHANGED_CHANNEL, {
      onNotification: (orderId) => this.tell(this.watchers.get(orderId)),
      onGap: () => {
        for (const callbacks of this.watchers.values()) this.tell(callbacks);
      },
    });
  }

  subscribe(id: string, onChange: () => void): () => void {
    let callbacks = this.watchers.get(id);
    if (!callbacks) this.watchers.set(id, (callbacks = new Set()));
    callbacks.add(onChange);
    return () => {
      callbacks.delete(onChange);
      if (callbacks.size === 0 && this.watchers.get(id) === callbacks) this.watchers.delete(id);
    };
  }

  async stop(): Promise<void> {
    await this.listening?.close();
    this.listening = null;
  }

  private tell(callbacks: ReadonlySet<() => void> | undefined): void {
    for (const onChange of [...(callbacks ?? [])]) onChange();
  }
}
