import type { RecordedAnswer, RequestKind } from "./invariants";

/** How long a client waits for any answer before it counts the request as hung. */
export const CLIENT_DEADLINE_MS = 15_000;

export interface Reply {
  readonly status: number;
  readonly hung: boolean;
  readonly body: Record<string, unknown>;
  readonly headers: Headers | null;
  /** What failed below HTTP (connection refused or reset), for status 0. */
  readonly error?: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** The order an answer names: an order body (201, 202) or a problem carrying the failed order. */
export function orderOf(body: Record<string, unknown>): { id?: string; status?: string; riderId?: string } {
  const o = (typeof body.order === "object" && body.order !== null ? body.order : body) as Record<string, unknown>;
  return {
    ...(typeof o.id === "string" ? { id: o.id } : {}),
    ...(typeof o.status === "string" ? { status: o.status } : {}),
    ...(typeof o.riderId === "string" ? { riderId: o.riderId } : {}),
  };
}

/** One HTTP request to the gateway, bounded by the client deadline; never throws. */
export async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const startedAt = Date.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(CLIENT_DEADLINE_MS),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = text ? JSON.parse(text) : {};
      if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: res.status, hung: false, body, headers: res.headers, startedAt, endedAt: Date.now() };
  } catch (err) {
    const hung = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const error = hung ? "deadline" : (cause?.code ?? cause?.message ?? String(err));
    return { status: 0, hung, body: {}, headers: null, error, startedAt, endedAt: Date.now() };
  }
}

/** The answer as the audit keeps it. */
export function recorded(kind: RequestKind, label: string, reply: Reply): RecordedAnswer {
  const order = orderOf(reply.body);
  const code = typeof reply.body.code === "string" ? reply.body.code : reply.error;
  return {
    kind,
    path: label,
    status: reply.status,
    hung: reply.hung,
    startedAt: reply.startedAt,
    endedAt: reply.endedAt,
    ...(code ? { code } : {}),
    ...(kind === "order" && order.id ? { orderId: order.id } : {}),
    ...(kind === "order" && order.status ? { orderStatus: order.status } : {}),
  };
}
