import { reportFailure, reportSuccess } from "../connectivity";
import type {
  AuthConfig,
  CircuitBreaker,
  CreateOrderBody,
  DeadLetter,
  Order,
  OrderStatus,
  Page,
  Problem,
  Product,
  RiderPosition,
  Role,
  Wallet,
} from "./types";

/** The gateway answered with an error (problem+json when it could). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    /** Seconds the gateway asked to wait (Retry-After), when it said. */
    readonly retryAfterS: number | null,
  ) {
    super(problem ? `${status} ${problem.code}` : `HTTP ${status}`);
    this.name = "ApiError";
  }

  get code(): string {
    return this.problem?.code ?? `HTTP_${this.status}`;
  }
}

/** The request never got an answer: offline, the gateway down, the connection cut. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super("the platform could not be reached", { cause });
    this.name = "NetworkError";
  }
}

/** Answers that say "not now" rather than "no": a retry later may pass. */
export function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  return (
    err instanceof ApiError && (err.status === 502 || err.status === 503 || err.status === 504 || err.status === 429)
  );
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

async function readProblem(res: Response): Promise<Problem | null> {
  try {
    const body: unknown = await res.json();
    if (isObject(body) && typeof body.code === "string") return body as unknown as Problem;
  } catch {
    // not JSON: a proxy's page, an empty answer
  }
  return null;
}

function retryAfter(res: Response): number | null {
  const value = res.headers.get("retry-after");
  if (value === null) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds : null;
}

/**
 * One call to the gateway with the session's bearer token. Network failures and 5xx answers are
 * reported to the connectivity store (the banner and automatic recovery); any answer is a sign of life.
 */
export async function request<T>(
  method: string,
  path: string,
  token: string | null,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, signal: options.signal });
  } catch (err) {
    if (options.signal?.aborted === true) throw err;
    reportFailure("unreachable");
    throw new NetworkError(err);
  }
  if (!res.ok) {
    const error = new ApiError(res.status, await readProblem(res), retryAfter(res));
    // A refusal (4xx) says nothing of the platform's health; an upstream down does.
    if (res.status >= 502 && res.status <= 504 && error.code !== "OVERLOADED") reportFailure(error.code);
    throw error;
  }
  reportSuccess();
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const q = (params: Record<string, string | number | undefined | null>): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") search.set(k, String(v));
  const s = search.toString();
  return s === "" ? "" : `?${s}`;
};

const enc = encodeURIComponent;

/** The REST API of docs/design.md §6, for one session's token. */
export function apiFor(token: string | null) {
  const call = <T>(method: string, path: string, options?: RequestOptions) => request<T>(method, path, token, options);
  return {
    token,
    products: (cursor?: string | null, limit = 50) => call<Page<Product>>("GET", `/v1/products${q({ limit, cursor })}`),
    createOrder: (body: CreateOrderBody, idempotencyKey: string) =>
      call<Order>("POST", "/v1/orders", { body, headers: { "idempotency-key": idempotencyKey } }),
    order: (id: string, signal?: AbortSignal) => call<Order>("GET", `/v1/orders/${enc(id)}`, signal ? { signal } : {}),
    myOrders: (cursor?: string | null, limit = 10) => call<Page<Order>>("GET", `/v1/orders${q({ limit, cursor })}`),
    adminOrders: (filter: { status?: OrderStatus | ""; customerId?: string; cursor?: string | null; limit?: number }) =>
      call<Page<Order>>(
        "GET",
        `/v1/admin/orders${q({ status: filter.status, customerId: filter.customerId, cursor: filter.cursor, limit: filter.limit ?? 20 })}`,
      ),
    reportLocation: (riderId: string, lat: number, lon: number, available: boolean) =>
      call<undefined>("PUT", `/v1/riders/${enc(riderId)}/location`, { body: { lat, lon, available } }),
    markDelivered: (orderId: string) => call<Order>("POST", `/v1/orders/${enc(orderId)}/delivered`),
    /** The order the rider carries now; undefined (204) when none. */
    riderAssignment: (riderId: string) => call<Order | undefined>("GET", `/v1/riders/${enc(riderId)}/assignment`),
    riders: (limit = 200) => call<{ items: RiderPosition[] }>("GET", `/v1/admin/riders${q({ limit })}`),
    createProduct: (product: Product) => call<Product>("POST", "/v1/admin/products", { body: product }),
    restock: (sku: string, quantity: number) =>
      call<Product>("POST", `/v1/admin/products/${enc(sku)}/restock`, { body: { quantity } }),
    credit: (customerId: string, amountCents: number, currency: string) =>
      call<Wallet>("POST", `/v1/admin/wallets/${enc(customerId)}/credit`, { body: { amountCents, currency } }),
    deadLetters: () => call<{ items: DeadLetter[] }>("GET", "/v1/admin/dead-letters"),
    replayDeadLetter: (id: string) =>
      call<{ deadLetter: DeadLetter }>("POST", `/v1/admin/dead-letters/${enc(id)}/replay`),
    circuitBreakers: () => call<{ items: CircuitBreaker[] }>("GET", "/v1/admin/circuit-breakers"),
    authConfig: () => call<AuthConfig>("GET", "/v1/auth/config"),
    devToken: (subject: string, role: Role) =>
      call<{ token: string }>("POST", "/v1/dev/token", { body: { subject, role } }),
  };
}

export type Api = ReturnType<typeof apiFor>;
