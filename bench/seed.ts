import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { Pool } from "undici";

export interface BenchData {
  readonly skus: string[];
  readonly initialStock: Map<string, number>;
  readonly customers: { id: string; token: string; funded: boolean }[];
  readonly creditedCents: number;
}

const STOCK = 1_000_000;
const CREDIT = 1_000_000_000;
/** The products' currency, and so the balance customers are credited: a wallet holds one per currency. */
export const BENCH_CURRENCY = "EUR";

/** Signs HS256 tokens the gateway accepts (`role`: customer, rider or admin), valid for 6 hours. */
export function tokenSigner(jwtSecret: string): (sub: string, role: string) => Promise<string> {
  const key = new TextEncoder().encode(jwtSecret);
  return (sub, role) =>
    new SignJWT({ role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setExpirationTime("6h").sign(key);
}

/** Products with ample stock, customers with ample money, and a share who are declined (no wallet). */
export async function seedBenchData(
  gatewayUrl: string,
  jwtSecret: string,
  opts: { products: number; customers: number; declinedShare: number },
): Promise<BenchData> {
  const token = tokenSigner(jwtSecret);
  const admin = await token("bench-admin", "admin");
  const http = new Pool(gatewayUrl, { connections: 16 });
  const post = async (path: string, body: unknown) => {
    const res = await http.request({
      method: "POST",
      path,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`seeding ${path}: ${res.statusCode} ${text}`);
  };
  const run = randomUUID().slice(0, 6);
  const skus = Array.from({ length: opts.products }, (_, i) => `bench-${run}-${i}`);
  await Promise.all(
    skus.map((sku, i) =>
      post("/v1/admin/products", {
        sku,
        name: `Bench product ${i}`,
        priceCents: 50 + ((i * 37) % 950),
        currency: BENCH_CURRENCY,
        stock: STOCK,
      }),
    ),
  );
  const declined = Math.round(opts.customers * opts.declinedShare);
  const customers = await Promise.all(
    Array.from({ length: opts.customers }, async (_, i) => {
      const id = `bench-${run}-c${i}`;
      const funded = i >= declined;
      if (funded) await post(`/v1/admin/wallets/${id}/credit`, { amountCents: CREDIT, currency: BENCH_CURRENCY });
      return { id, token: await token(id, "customer"), funded };
    }),
  );
  await http.close();
  return {
    skus,
    initialStock: new Map(skus.map((s) => [s, STOCK])),
    customers,
    creditedCents: customers.filter((c) => c.funded).length * CREDIT,
  };
}

/** 1–3 distinct random lines of 1–3 units (`random` in [0, 1): Math.random, or a seeded one for a replayable run). */
export function randomLines(
  skus: readonly string[],
  random: () => number = Math.random,
): { sku: string; quantity: number }[] {
  const n = Math.min(skus.length, 1 + Math.floor(random() * 3));
  const picked = new Set<string>();
  while (picked.size < n) picked.add(pick(skus, random));
  return [...picked].map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 3) }));
}

export const pick = <T>(items: readonly T[], random: () => number = Math.random): T =>
  items[Math.floor(random() * items.length)]!;
