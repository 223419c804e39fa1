import { ApiError, isTransient, request } from "./client";
import type { Order } from "./types";

/** An order needs no more watching once delivered or failed. */
export const isFinal = (order: Order): boolean => order.status === "DELIVERED" || order.status === "FAILED";

export interface WatchOptions {
  readonly token: string | null;
  readonly onOrder: (order: Order) => void;
  readonly onError: (err: unknown) => void;
  readonly signal: AbortSignal;
  /** First polling delay and its cap (ms): polling doubles from one to the other while nothing changes. */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

const looksLikeOrder = (v: unknown): v is Order =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as Order).id === "string" &&
  typeof (v as Order).status === "string" &&
  Array.isArray((v as Order).history);

/** One server-sent event: its id and its data (the lines joined). */
interface SseEvent {
  readonly id: string | null;
  readonly data: string;
}

/** Splits a text/event-stream into events (WHATWG HTML, "server-sent events": fields id, data; comments skipped). */
async function* readEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  signal.addEventListener("abort", () => void reader.cancel().catch(() => undefined), { once: true });
  let buffer = "";
  let id: string | null = null;
  let data: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.search(/\r\n|\r|\n/)) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith("\r\n", nl) ? 2 : 1));
      if (line === "") {
        if (data.length > 0) yield { id, data: data.join("\n") };
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const val = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") data.push(val);
      else if (field === "id") id = val;
    }
  }
}

/**
 * Watches an order until it is delivered or failed: live through its event stream
 * (`GET /v1/orders/{id}/events`, resumed with Last-Event-ID), and by polling `GET /v1/orders/{id}`
 * with backoff whenever the stream is not available (a gateway without it, a proxy that buffers, a
 * cut connection). Each event's data is taken as the order when it is one; otherwise the order is
 * read again. Resolves when the order is final or the signal aborts.
 */
export async function watchOrder(id: string, options: WatchOptions): Promise<void> {
  const { token, onOrder, onError, signal } = options;
  const pollMs = options.pollMs ?? 500;
  const maxPollMs = options.maxPollMs ?? 5_000;
  const path = `/v1/orders/${encodeURIComponent(id)}`;
  let streamUsable = typeof ReadableStream !== "undefined";
  let streamFailures = 0;
  let lastEventId: string | null = null;
  let delay = pollMs;
  let last = "";

  const fetchOrder = async (): Promise<Order | null> => {
    try {
      const order = await request<Order>("GET", path, token, { signal });
      const fingerprint = `${order.status}:${order.history.length}:${order.riderId ?? ""}`;
      if (fingerprint !== last) delay = pollMs;
      last = fingerprint;
      onOrder(order);
      return order;
    } catch (err) {
      if (signal.aborted) return null;
      onError(err);
      // Not found or forbidden does not change by waiting.
      if (!isTransient(err) && err instanceof ApiError) throw err;
      return null;
    }
  };

  /** Reads the stream until it ends; true when the order was seen final. */
  const stream = async (): Promise<boolean> => {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (lastEventId !== null) headers["last-event-id"] = lastEventId;
    const res = await fetch(`${path}/events`, { headers, signal });
    if (!res.ok || res.body === null || !(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      await res.body?.cancel().catch(() => undefined);
      // No such route (an older gateway) or not allowed: stop trying; anything else: try again later.
      if (res.status === 404 || res.status === 405 || res.status === 406 || res.status === 501) streamUsable = false;
      throw new Error(`event stream answered ${res.status}`);
    }
    streamFailures = 0;
    for await (const event of readEvents(res.body, signal)) {
      if (event.id !== null) lastEventId = event.id;
      let order: Order | null = null;
      try {
        const data: unknown = JSON.parse(event.data);
        if (looksLikeOrder(data)) order = data;
        else if (typeof data === "object" && data !== null && looksLikeOrder((data as { order?: unknown }).order))
          order = (data as { order: Order }).order;
      } catch {
        // not JSON: read the order itself
      }
      order ??= await fetchOrder();
      if (order !== null) {
        onOrder(order);
        if (isFinal(order)) return true;
      }
    }
    return false;
  };

  const first = await fetchOrder();
  if (first !== null && isFinal(first)) return;
  while (!signal.aborted) {
    if (streamUsable && streamFailures < 3) {
      try {
        if (await stream()) return;
        // The stream ended before the end (it may end at CONFIRMED): read the order, then resume it.
        const order = await fetchOrder();
        if (order !== null && isFinal(order)) return;
        await sleep(delay, signal);
        delay = Math.min(maxPollMs, delay * 2);
        continue;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof ApiError) throw err;
        streamFailures++;
      }
    }
    await sleep(delay, signal);
    delay = Math.min(maxPollMs, delay * 2);
    const order = await fetchOrder();
    if (order !== null && isFinal(order)) return;
    // After a pause, give the stream another chance (the gateway may have come back with it).
    if (streamFailures >= 3 && delay >= maxPollMs) streamFailures = 0;
  }
}
