import { tokenSigner } from "../bench/seed";
import { send, type Reply } from "./http";
import { walletKey } from "./invariants";

/** Where riders ride (near the order service's default store location, where orders are delivered). */
export const STORE = { lat: 52.5219, lon: 13.4132 };

export interface ChaosData {
  readonly adminToken: string;
  readonly skus: readonly string[];
  /** Skus with little stock: they sell out, answer 409 OUT_OF_STOCK a while, and are restocked. */
  readonly scarce: ReadonlySet<string>;
  readonly initialStock: ReadonlyMap<string, number>;
  readonly customers: readonly { id: string; token: string; funded: boolean }[];
  /** What each funded customer was credited, per balance (`walletKey`). */
  readonly credits: ReadonlyMap<string, number>;
  /** Credits whose answer was lost (their customers were replaced, and place no order), per balance: in the ledger or not. */
  readonly uncertainCredits: ReadonlyMap<string, number>;
  readonly riders: readonly { id: string; token: string }[];
}

export interface SeedOptions {
  readonly products: number;
  readonly scarceProducts: number;
  readonly customers: number;
  readonly unfundedCustomers: number;
  readonly riders: number;
}

export const GENEROUS_STOCK = 3_000;
export const SCARCE_STOCK = 25;
/** Enough for every order a customer can place in a run: money never runs out, only the unfunded are declined. */
const CREDIT_CENTS = 1_000_000_000;
/** Every product's price is in it, so every order is. */
const CURRENCY = "EUR";
/**
 * Each funded customer also holds a balance in another currency that no order is in: the audit
 * proves that no charge or refund ever touched it (a wallet holds one balance per currency).
 */
const UNSPENT = { currency: "USD", cents: 5_000 } as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items`, `limit` at a time (a platform just started is easily swamped). */
async function inTurns<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!, i);
      }
    }),
  );
  return out;
}

/** An answer that says the request did nothing: shed before it ran (OVERLOADED), or never connected. */
const didNothing = (reply: Reply) =>
  (reply.status === 503 && reply.body.code === "OVERLOADED") || (reply.status === 0 && reply.error === "ECONNREFUSED");

/**
 * Products, customers (most with money, some with none: 402 PAYMENT_DECLINED) and riders, through the
 * admin API before any fault, once the gateway says every upstream is ready. A request that did
 * nothing is sent again. A product whose answer was lost is created again (409: it was). A credit is
 * not idempotent: when its answer is lost the customer is dropped for a fresh one and the credit
 * recorded as uncertain (the audit accepts the ledger with it or without it).
 */
export async function seedChaosData(
  gatewayUrl: string,
  jwtSecret: string,
  run: string,
  options: SeedOptions,
): Promise<ChaosData> {
  const token = tokenSigner(jwtSecret);
  const adminToken = await token("chaos-admin", "admin");
  const deadline = Date.now() + 120_000;
  while ((await send(gatewayUrl, "GET", "/readyz")).status !== 200) {
    if (Date.now() > deadline) throw new Error("the gateway was not ready (GET /readyz) within 120 s");
    await sleep(500);
  }
  const post = async (path: string, body: unknown, auth = adminToken, method = "POST"): Promise<Reply> => {
    for (let attempt = 1; ; attempt++) {
      const reply = await send(gatewayUrl, method, path, { token: auth, body });
      if (!didNothing(reply) || attempt >= 20) return reply;
      await sleep(250 * Math.min(attempt, 8));
    }
  };
  const fail = (what: string, reply: Reply) =>
    new Error(`seeding ${what}: ${reply.status} ${reply.error ?? JSON.stringify(reply.body)}`);
  const skus = Array.from({ length: options.products }, (_, i) => `chaos-${run}-${String(i).padStart(2, "0")}`);
  const scarce = new Set(skus.slice(0, options.scarceProducts));
  const initialStock = new Map(skus.map((sku) => [sku, scarce.has(sku) ? SCARCE_STOCK : GENEROUS_STOCK]));
  await inTurns(skus, 4, async (sku, i) => {
    const product = {
      sku,
      name: `Chaos product ${i}`,
      priceCents: 50 + ((i * 37) % 950),
      currency: CURRENCY,
      stock: initialStock.get(sku),
    };
    for (let attempt = 1; ; attempt++) {
      const reply = await post("/v1/admin/products", product);
      if (reply.status === 201 || (reply.status === 409 && attempt > 1)) return;
      if (attempt >= 5 || (reply.status !== 0 && reply.status < 500)) throw fail(`product ${sku}`, reply);
      await sleep(1_000);
    }
  });
  const credits = new Map<string, number>();
  const uncertainCredits = new Map<string, number>();
  /** Credits `id` each balance in turn, recording each; the reply of the first that failed, if one did (the rest are not sent). */
  const firstLostCredit = async (
    id: string,
    balances: readonly { currency: string; cents: number }[],
  ): Promise<Reply | undefined> => {
    for (const { currency, cents } of balances) {
      const reply = await post(`/v1/admin/wallets/${id}/credit`, { amountCents: cents, currency });
      if (reply.status !== 200) {
        uncertainCredits.set(walletKey(id, currency), cents);
        return reply;
      }
      credits.set(walletKey(id, currency), cents);
    }
    return undefined;
  };
  const customers = await inTurns(
    Array.from({ length: options.customers }, (_, i) => i),
    4,
    async (i) => {
      const funded = i >= options.unfundedCustomers;
      for (let attempt = 1; ; attempt++) {
        const id = `chaos-${run}-c${i}${attempt > 1 ? `-${attempt}` : ""}`;
        if (funded) {
          const lost = await firstLostCredit(id, [
            { currency: CURRENCY, cents: CREDIT_CENTS },
            { currency: UNSPENT.currency, cents: UNSPENT.cents },
          ]);
          if (lost) {
            if (attempt >= 5 || (lost.status !== 0 && lost.status < 500)) throw fail(`credit of ${id}`, lost);
            await sleep(1_000);
            continue;
          }
        }
        return { id, token: await token(id, "customer"), funded };
      }
    },
  );
  const riders = await inTurns(
    Array.from({ length: options.riders }, (_, i) => `chaos-${run}-r${i}`),
    4,
    async (id) => {
      const riderToken = await token(id, "rider");
      const reply = await post(`/v1/riders/${id}/location`, { ...STORE, available: true }, riderToken, "PUT");
      if (reply.status !== 204) throw fail(`rider ${id}`, reply);
      return { id, token: riderToken };
    },
  );
  return { adminToken, skus, scarce, initialStock, customers, credits, uncertainCredits, riders };
}
