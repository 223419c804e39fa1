import { PassThrough } from "node:stream";
import { AppError } from "@qc/platform/errors";
import type { OrderView } from "./order.schema";

/**
 * Server-Sent Events of an order (GET /v1/orders/{id}/events). Each event is the whole order as GET
 * /v1/orders/{id} answers it, named `order`, with the order's version as its id: a client that comes
 * back sends it as Last-Event-ID and gets only what is newer.
 */

/**
 * Statuses after which nothing more happens to an order (WatchOrder ends after sending one): the
 * stream ends with it, and a client coming back with its version is told to stop (204).
 */
const TERMINAL: ReadonlySet<OrderView["status"]> = new Set(["FAILED", "DELIVERED"]);
export const isTerminal = (order: OrderView): boolean => TERMINAL.has(order.status);

/** How long a client waits before it comes back after the stream was cut (the SSE `retry` field). */
export const RECONNECT_MS = 2_000;

/** The version a client has seen (its Last-Event-ID), or -1 when it has seen none. */
export function lastSeenVersion(lastEventId: string | undefined): number {
  return lastEventId !== undefined && /^[0-9]{1,15}$/.test(lastEventId) ? Number(lastEventId) : -1;
}

/** The first bytes of a stream: how long to wait before coming back. */
export const streamPreamble = (): string => `retry: ${RECONNECT_MS}\n\n`;

/** One `order` event. JSON has no raw newlines, so the data fits one `data:` line. */
export const orderEvent = (version: number, order: OrderView): string =>
  `id: ${version}\nevent: order\ndata: ${JSON.stringify(order)}\n\n`;

/** A comment line: keeps proxies and load balancers from closing a quiet stream as idle. */
export const heartbeat = (): string => ": keep-alive\n\n";

/**
 * The body of one event stream: the preamble, then each `order` event newer than what the client has
 * seen, with a heartbeat while it is quiet. `end()` ends it once, however often it is called (the
 * final state, the upstream cut, the client gone, the gateway closing), and then calls `onEnd`.
 */
export class OrderEventStream {
  readonly body = new PassThrough();
  private readonly beat: NodeJS.Timeout;
  private ended = false;

  constructor(
    private seen: number,
    heartbeatMs: number,
    private readonly onEnd: () => void,
  ) {
    this.body.write(streamPreamble());
    this.beat = setInterval(() => this.body.write(heartbeat()), heartbeatMs);
  }

  /** Sends the order's state at `version`, unless the client has seen it (or a newer one). */
  send(version: number, order: OrderView): void {
    if (this.ended || version <= this.seen) return;
    this.seen = version;
    this.body.write(orderEvent(version, order));
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.beat);
    this.body.end();
    this.onEnd();
  }
}

/**
 * Open streams per caller, capped: each holds a connection and an upstream stream, so one token
 * cannot open them without bound. Counted in this gateway process (per replica).
 */
export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly perCaller: number) {}

  /** Takes a slot for `caller`, or throws TOO_MANY_STREAMS (429); the function returned gives it back, once. */
  acquire(caller: string): () => void {
    const n = this.open.get(caller) ?? 0;
    if (n >= this.perCaller) {
      throw new AppError(
        "refused",
        "TOO_MANY_STREAMS",
        `At most ${this.perCaller} event streams may be open at once; close one first.`,
      );
    }
    this.open.set(caller, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(caller) ?? 1) - 1;
      if (left === 0) this.open.delete(caller);
      else this.open.set(caller, left);
    };
  }

  /** Streams open for `caller` now. */
  count(caller: string): number {
    return this.open.get(caller) ?? 0;
  }
}
