import { tokenSigner } from "../bench/seed";
import { send } from "./http";

/** Where riders ride (near the order service's default store location, where orders are delivered). */
export const STORE = { lat: 52.5219, lon: 13.4132 };

export interface ChaosData {
  readonly adminToken: string;
  readonly skus: readonly string[];
  /** Skus with little stock: they sell out, answer 409 OUT_OF_STOCK a while, and are restocked. */
  readonly scarce: ReadonlySet<string>;
  readonly initialStock: ReadonlyMap<string, number>;
  readonly customers: readonly { id: string; token: string; funded: boolean }[];
  /** What each funded customer was credited. */
  readonly credits: ReadonlyMap<string, number>;
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

/**
 * Products, customers (most with money, some with none: 402 PAYMENT_DECLINED) and riders, through the
 * admin API before any fault, so every write's outcome is known.
 */
export async function seedChaosData(gatewayUrl: string, jwtSecret: string, run: string, options: SeedOptions): Promise<ChaosData> {
  const token = tokenSigner(jwtSecret);
  const adminToken = await token("chaos-admin", "admin");
  const must = async (method: string, path: string, body: unknown, ok: number) => {
    const reply = await send(gatewayUrl, method, path, { token: adminToken, body });
    if (reply.status !== ok) throw new Error(`seeding ${method} ${path}: ${reply.status} ${reply.error ?? JSON.stringify(reply.body)}`);
  };
  const skus = Array.from({ length: options.products }, (_, i) => `chaos-${run}-${String(i).padStart(2, "0")}`);
  const scarce = new Set(skus.slice(0, options.scarceProducts));
  const initialStock = new Map(skus.map((sku) => [sku, scarce.has(sku) ? SCARCE_STOCK : GENEROUS_STOCK]));
  await Promise.all(
    skus.map((sku, i) =>
      must("POST", "/v1/admin/products", { sku, name: `Chaos product ${i}`, priceCents: 50 + ((i * 37) % 950), currency: "EUR", stock: initialStock.get(sku) }, 201),
    ),
  );
  const credits = new Map<string, number>();
  const customers = await Promise.all(
    Array.from({ length: options.customers }, async (_, i) => {
      const id = `chaos-${run}-c${i}`;
      const funded = i >= options.unfundedCustomers;
      if (funded) {
        await must("POST", `/v1/admin/wallets/${id}/credit`, { amountCents: CREDIT_CENTS }, 200);
        credits.set(id, CREDIT_CENTS);
      }
      return { id, token: await token(id, "customer"), funded };
    }),
  );
  const riders = await Promise.all(
    Array.from({ length: options.riders }, async (_, i) => {
      const id = `chaos-${run}-r${i}`;
      const riderToken = await token(id, "rider");
      const reply = await send(gatewayUrl, "PUT", `/v1/riders/${id}/location`, { token: riderToken, body: { ...STORE, available: true } });
      if (reply.status !== 204) throw new Error(`seeding rider ${id}: ${reply.status} ${JSON.stringify(reply.body)}`);
      return { id, token: riderToken };
    }),
  );
  return { adminToken, skus, scarce, initialStock, customers, credits, riders };
}
