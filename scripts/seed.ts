/** Demo data for a first run: a handful of products, a customer with money (alice) and one without (bob). */
export const demoProducts = [
  { sku: "banana", name: "Bananas (1 kg)", priceCents: 199, currency: "EUR", stock: 500 },
  { sku: "milk", name: "Whole milk 1 L", priceCents: 129, currency: "EUR", stock: 300 },
  { sku: "bread", name: "Sourdough loaf", priceCents: 349, currency: "EUR", stock: 120 },
  { sku: "eggs", name: "Free-range eggs (10)", priceCents: 329, currency: "EUR", stock: 200 },
  { sku: "coffee", name: "Ground coffee 500 g", priceCents: 799, currency: "EUR", stock: 80 },
  { sku: "avocado", name: "Avocado", priceCents: 149, currency: "EUR", stock: 150 },
];

/** Seeds through the public admin API; returns false when the catalog already had products. */
export async function seedDemoData(gatewayUrl: string, adminToken: string): Promise<boolean> {
  const headers = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
  const existing = (await (await fetch(`${gatewayUrl}/v1/products?limit=1`)).json()) as { items?: unknown[] };
  if ((existing.items?.length ?? 0) > 0) return false;
  for (const product of demoProducts) {
    const res = await fetch(`${gatewayUrl}/v1/admin/products`, {
      method: "POST",
      headers,
      body: JSON.stringify(product),
    });
    if (res.status !== 201 && res.status !== 409)
      throw new Error(`seeding ${product.sku} failed: ${res.status} ${await res.text()}`);
  }
  const res = await fetch(`${gatewayUrl}/v1/admin/wallets/alice/credit`, {
    method: "POST",
    headers,
    body: JSON.stringify({ amountCents: 100_00, currency: "EUR" }),
  });
  if (!res.ok) throw new Error(`crediting alice failed: ${res.status} ${await res.text()}`);
  return true;
}
