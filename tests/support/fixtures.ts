import { randomUUID } from "node:crypto";
import { isAppError } from "@qc/platform/errors";
import { eventually, type E2E } from "./e2e-stack";

export interface OrderBody {
  id: string;
  status: string;
  customerId: string;
  totalCents: number;
  failureReason?: string;
  riderId?: string;
  items: { sku: string; quantity: number; priceCents: number }[];
  history: { step: string; outcome: string; detail?: string }[];
}

/** The currency of the fixtures' products, and so of the credit their customers need to pay for them. */
export const FIXTURE_CURRENCY = "EUR";

/**
 * `read`'s value, asked again while it fails as unavailable (a timeout on a loaded machine, a service
 * restarting): such a failure says nothing of the value. Any other error raises.
 */
async function readAgainWhileUnavailable<T>(read: () => Promise<T>, what: string): Promise<T> {
  const got = await eventually(
    () =>
      read().then(
        (value) => ({ value }),
        (err: unknown) => {
          if (isAppError(err) && err.kind === "unavailable") return null;
          throw err;
        },
      ),
    `${what} to be read`,
  );
  return got.value;
}

/** Test data made through the public API, unique per call so tests never share stock or wallets. */
export function fixtures(e2e: E2E, adminToken: string) {
  const expectStatus = async (res: Promise<{ status: number; body: unknown }>, status: number, what: string) => {
    const r = await res;
    if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  };
  const credit = async (customerId: string, amountCents: number, currency = FIXTURE_CURRENCY): Promise<void> =>
    expectStatus(
      e2e.api("POST", `/v1/admin/wallets/${customerId}/credit`, { token: adminToken, body: { amountCents, currency } }),
      200,
      "credit",
    );
  return {
    product: async (stock: number, priceCents = 250, currency = FIXTURE_CURRENCY): Promise<string> => {
      const sku = `sku-${randomUUID().slice(0, 8)}`;
      await expectStatus(
        e2e.api("POST", "/v1/admin/products", {
          token: adminToken,
          body: { sku, name: `Test ${sku}`, priceCents, currency, stock },
        }),
        201,
        "create product",
      );
      return sku;
    },
    /** A customer holding `cents` in `currency` (none: no wallet at all). */
    customer: async (cents: number, currency = FIXTURE_CURRENCY): Promise<{ id: string; token: string }> => {
      const id = `cust-${randomUUID().slice(0, 8)}`;
      if (cents > 0) await credit(id, cents, currency);
      return { id, token: await e2e.token(id, "customer") };
    },
    credit,
    /** Read straight from the inventory service, past the gateway and any fault proxy (a failed read is asked again). */
    stockOf: (sku: string): Promise<number> =>
      readAgainWhileUnavailable(
        async () => (await e2e.inventory.call.getProduct({ sku })).product?.stock ?? -1,
        `the stock of ${sku}`,
      ),
    /**
     * The customer's balance in `currency`; 0 when they never held any (WALLET_NOT_FOUND). A read
     * that fails (a timeout on a loaded machine, a restarting service) is asked again, and any other
     * error raises: a failed read is never taken for a balance of 0.
     */
    balanceOf: (customerId: string, currency = FIXTURE_CURRENCY): Promise<number> =>
      readAgainWhileUnavailable(
        () =>
          e2e.payment.call.getWallet({ customerId, currency }).then(
            (r) => r.wallet?.balanceCents ?? 0,
            (err: unknown) => {
              if (isAppError(err) && err.code === "WALLET_NOT_FOUND") return 0;
              throw err;
            },
          ),
        `the wallet of ${customerId} in ${currency}`,
      ),
    order: (token: string, items: { sku: string; quantity: number }[], key?: string) =>
      e2e.api<OrderBody & { order?: OrderBody; code?: string }>("POST", "/v1/orders", {
        token,
        body: { items },
        headers: key ? { "idempotency-key": key } : {},
      }),
    getOrder: async (id: string): Promise<OrderBody> =>
      (await e2e.api<OrderBody>("GET", `/v1/orders/${id}`, { token: adminToken })).body,
  };
}

/**
 * An order whose stock release cannot run, so it ends in a dead letter: payment is slowed until the
 * order's 2 units (of 5) are deducted, then inventory refuses (its connections cut) and payment
 * declines (the customer holds 100 of the 1,000 the order costs). Inventory stays refusing; the
 * caller lets it pass again. `answer` is the gateway's answer to the order.
 */
export async function orderWithStuckRelease(e2e: E2E, f: ReturnType<typeof fixtures>) {
  const proxies = e2e.proxies;
  if (!proxies) throw new Error("fault proxies expected");
  const sku = await f.product(5, 500);
  const poor = await f.customer(100);
  proxies.payment.set({ kind: "delay", delayMs: 300 });
  const answer = f.order(poor.token, [{ sku, quantity: 2 }], randomUUID());
  await eventually(async () => (await f.stockOf(sku)) === 3, "stock deducted");
  proxies.inventory.set({ kind: "refuse" }, { cut: true });
  proxies.payment.set({ kind: "pass" });
  return { sku, answer };
}

export const steps = (o: { history: { step: string; outcome: string }[] } | undefined): string[] =>
  (o?.history ?? []).map((h) => `${h.step}:${h.outcome}`);
