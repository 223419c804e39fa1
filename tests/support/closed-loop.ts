import { randomUUID } from "node:crypto";

/** One request of a load run: when it started and ended, and what came back. */
export interface Outcome {
  readonly startedAt: number;
  readonly endedAt: number;
  /** The HTTP status, or 0 when the request failed below HTTP (connection refused or reset). */
  readonly status: number;
  readonly code?: string;
  readonly orderId?: string;
  readonly error?: string;
}

export interface OrderLoad {
  /** Everything that has come back so far. */
  readonly outcomes: readonly Outcome[];
  /** Requests sent and not yet answered. */
  inFlight(): number;
  /** Stops sending, waits for the requests in flight, and returns every outcome. */
  stop(): Promise<readonly Outcome[]>;
}

export interface OrderLoadOptions {
  readonly gatewayUrl: string;
  /** Concurrent clients, each sending its next order as soon as the previous one is answered. */
  readonly clients: number;
  /** The next order: a customer's token and the lines to order. */
  readonly next: (i: number) => { token: string; items: { sku: string; quantity: number }[] };
  /** A bound on the whole run, whatever happens (the load stops by itself). */
  readonly maxMs: number;
  /** Per-request bound. */
  readonly timeoutMs?: number;
}

/** A closed loop of `POST /v1/orders` through the gateway, recording every outcome with its timing. */
export function startOrderLoad(options: OrderLoadOptions): OrderLoad {
  const outcomes: Outcome[] = [];
  const deadline = Date.now() + options.maxMs;
  let stopping = false;
  let sent = 0;
  let pending = 0;
  const one = async (i: number): Promise<void> => {
    const { token, items } = options.next(i);
    const startedAt = Date.now();
    pending++;
    try {
      const res = await fetch(`${options.gatewayUrl}/v1/orders`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": randomUUID(),
        },
        body: JSON.stringify({ items }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      const body = (await res.json().catch(() => ({}))) as { id?: string; code?: string; order?: { id?: string } };
      outcomes.push({
        startedAt,
        endedAt: Date.now(),
        status: res.status,
        code: body.code,
        orderId: body.order?.id ?? body.id,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      outcomes.push({ startedAt, endedAt: Date.now(), status: 0, error: cause?.code ?? cause?.message ?? String(err) });
    } finally {
      pending--;
    }
  };
  const client = async (): Promise<void> => {
    while (!stopping && Date.now() < deadline) {
      await one(sent++);
      // A refused connection answers at once: do not spin.
      if (outcomes.at(-1)?.status === 0) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const clients = Array.from({ length: options.clients }, client);
  return {
    outcomes,
    inFlight: () => pending,
    stop: async () => {
      stopping = true;
      await Promise.all(clients);
      return outcomes;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
