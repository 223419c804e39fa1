import { useState, type FormEvent } from "react";
import { apiFor } from "../api/client";
import type { Product } from "../api/types";
import { useConfirm } from "../components/ConfirmDialog";
import { ErrorNotice } from "../components/Notice";
import { money } from "../format";
import { useResource } from "../hooks";
import { describeError } from "../messages";
import type { Session } from "../session";

/** The catalog with its stock; restock and new products (each after a confirmation: they move stock). */
export function ProductsPanel({ session }: { session: Session }) {
  const api = apiFor(session.token);
  const products = useResource(async () => {
    const items: Product[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.products(cursor, 100);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null && items.length < 1_000);
    return items;
  }, [session.token]);
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const { confirm, dialog } = useConfirm();

  const restock = async (p: Product) => {
    const quantity = Number(quantities[p.sku] ?? "");
    if (!Number.isInteger(quantity) || quantity < 1)
      return setMessage({ ok: false, text: "Enter a whole number of units, at least 1." });
    if (
      !(await confirm(
        "Restock?",
        <p>{`Add ${quantity} units of ${p.name} (${p.sku}): ${p.stock} → ${p.stock + quantity} on hand.`}</p>,
        "Restock",
      ))
    )
      return;
    try {
      const updated = await api.restock(p.sku, quantity);
      setMessage({ ok: true, text: `${updated.name}: ${updated.stock} on hand.` });
      setQuantities((q) => ({ ...q, [p.sku]: "" }));
    } catch (err) {
      setMessage({ ok: false, text: describeError(err) });
    }
    products.reload();
  };

  return (
    <section id="products" className="panel" aria-labelledby="products-title">
      <h2 id="products-title">Products</h2>
      <ErrorNotice error={products.data === null ? products.error : null} retry={products.reload} />
      {message !== null && (
        <p className={`notice${message.ok ? "" : " notice-error"}`} role="status">
          {message.text}
        </p>
      )}
      {products.data !== null && (
        <table className="stock">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Price</th>
              <th scope="col">Stock</th>
              <th scope="col">Restock</th>
            </tr>
          </thead>
          <tbody>
            {products.data.map((p) => (
              <tr key={p.sku} data-sku={p.sku}>
                <td>
                  {p.name} <span className="muted">{p.sku}</span>
                </td>
                <td>{money(p.priceCents, p.currency)}</td>
                <td className={p.stock === 0 ? "out" : undefined} data-testid={`admin-stock-${p.sku}`}>
                  {p.stock}
                </td>
                <td>
                  <form
                    className="row-form"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void restock(p);
                    }}
                  >
                    <label>
                      <span className="visually-hidden">Units of {p.name} to add</span>
                      <input
                        type="number"
                        min={1}
                        className="narrow"
                        value={quantities[p.sku] ?? ""}
                        onChange={(e) => setQuantities((q) => ({ ...q, [p.sku]: e.target.value }))}
                      />
                    </label>
                    <button type="submit" className="small" aria-label={`Restock ${p.name}`}>
                      Add
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewProduct
        onCreate={async (p) => {
          if (
            !(await confirm(
              "Create this product?",
              <p>{`${p.name} (${p.sku}) at ${money(p.priceCents, p.currency)}, ${p.stock} units on hand.`}</p>,
              "Create",
            ))
          )
            return false;
          try {
            await api.createProduct(p);
            setMessage({ ok: true, text: `${p.name} is in the catalog.` });
            products.reload();
            return true;
          } catch (err) {
            setMessage({ ok: false, text: describeError(err) });
            return false;
          }
        }}
      />
      {dialog}
    </section>
  );
}

function NewProduct({ onCreate }: { onCreate: (p: Product) => Promise<boolean> }) {
  const [sku, setSku] = useState("");
  const [name, setName] = useState("");
  const [price, setPrice] = useState("");
  const [currency, setCurrency] = useState("EUR");
  const [stock, setStock] = useState("0");
  const priceCents = Math.round(Number(price) * 100);
  const valid =
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(sku) &&
    name.trim() !== "" &&
    price.trim() !== "" &&
    Number.isFinite(priceCents) &&
    priceCents >= 0 &&
    /^[A-Z]{3}$/.test(currency) &&
    Number.isInteger(Number(stock)) &&
    Number(stock) >= 0;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await onCreate({ sku, name: name.trim(), priceCents, currency, stock: Number(stock) })) {
      setSku("");
      setName("");
      setPrice("");
      setStock("0");
    }
  };
  return (
    <details className="new-product">
      <summary>New product</summary>
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <label>
          SKU <input value={sku} onChange={(e) => setSku(e.target.value)} />
        </label>
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Price{" "}
          <input inputMode="decimal" className="narrow" value={price} onChange={(e) => setPrice(e.target.value)} />
        </label>
        <label>
          Currency{" "}
          <input
            className="narrow"
            value={currency}
            maxLength={3}
            onChange={(e) => setCurrency(e.target.value.toUpperCase())}
          />
        </label>
        <label>
          Stock{" "}
          <input type="number" min={0} className="narrow" value={stock} onChange={(e) => setStock(e.target.value)} />
        </label>
        <button type="submit" disabled={!valid}>
          Create
        </button>
      </form>
    </details>
  );
}
