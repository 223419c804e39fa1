import { apiFor } from "../api/client";
import type { Product } from "../api/types";
import type { Cart } from "../cart";
import { useCheckout } from "../checkout";
import { LocationFields, useLocationInput } from "../components/LocationFields";
import { ErrorNotice } from "../components/Notice";
import { money } from "../format";
import { usePages } from "../hooks";
import { Link, navigate } from "../router";
import type { Session } from "../session";

/** Where orders go unless the customer says otherwise: near the store (the order service's default). */
export const DEFAULT_DELIVERY = { lat: 52.52, lon: 13.405 };

export function Storefront({ session, cart }: { session: Session | null; cart: Cart }) {
  const api = apiFor(session?.token ?? null);
  // Read again after an order: stock moves.
  const catalog = usePages((cursor) => api.products(cursor), []);

  return (
    <div className="storefront">
      <section aria-labelledby="catalog-title" className="catalog">
        <h1 id="catalog-title">Groceries in minutes</h1>
        <ErrorNotice error={catalog.data === null ? catalog.error : null} retry={catalog.reload} />
        {catalog.data === null && catalog.loading && <p className="muted">Loading the catalog…</p>}
        {catalog.data !== null && catalog.data.items.length === 0 && <p className="muted">No products yet.</p>}
        <ul className="products">
          {catalog.data?.items.map((p) => (
            <ProductCard key={p.sku} product={p} cart={cart} />
          ))}
        </ul>
        {catalog.data?.next != null && (
          <button type="button" className="secondary" onClick={catalog.more}>
            More products
          </button>
        )}
      </section>
      <CartPanel session={session} cart={cart} onOrdered={catalog.reload} />
    </div>
  );
}

function ProductCard({ product: p, cart }: { product: Product; cart: Cart }) {
  const inCart = cart.lines.find((l) => l.sku === p.sku)?.quantity ?? 0;
  const otherCurrency = cart.currency !== null && cart.currency !== p.currency;
  const stockText = p.stock === 0 ? "Out of stock" : p.stock <= 10 ? `Only ${p.stock} left` : `${p.stock} in stock`;
  return (
    <li className="product" data-sku={p.sku}>
      <h2 className="product-name">{p.name}</h2>
      <p className="product-price">{money(p.priceCents, p.currency)}</p>
      <p className={`product-stock${p.stock === 0 ? " out" : ""}`} data-testid={`stock-${p.sku}`}>
        {stockText}
      </p>
      <button
        type="button"
        onClick={() => cart.add(p)}
        disabled={p.stock === 0 || inCart >= p.stock || otherCurrency}
        aria-label={`Add ${p.name} to the cart`}
        title={otherCurrency ? `One currency per order: this item is in ${p.currency}` : undefined}
      >
        {inCart > 0 ? `Add another (${inCart} in cart)` : "Add to cart"}
      </button>
    </li>
  );
}

function CartPanel({ session, cart, onOrdered }: { session: Session | null; cart: Cart; onOrdered: () => void }) {
  const where = useLocationInput(DEFAULT_DELIVERY);
  const api = apiFor(session?.token ?? null);
  const { state, checkout } = useCheckout({ createOrder: api.createOrder }, (order) => {
    if (order.status !== "FAILED") cart.clear();
    onOrdered();
    navigate(`/orders/${encodeURIComponent(order.id)}`);
  });
  const customer = session?.role === "customer";
  const submitting = state.phase === "submitting";
  const placeOrder = () => {
    if (where.location !== null)
      void checkout({
        items: cart.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        deliveryLocation: where.location,
      });
  };

  return (
    <aside className="cart" aria-labelledby="cart-title">
      <h2 id="cart-title">Your cart</h2>
      {cart.lines.length === 0 && <p className="muted">Nothing in it yet.</p>}
      {cart.lines.length > 0 && (
        <>
          <ul className="cart-lines">
            {cart.lines.map((l) => (
              <li key={l.sku}>
                <span className="cart-name">{l.name}</span>
                <label className="qty">
                  <span className="visually-hidden">Quantity of {l.name}</span>
                  <input
                    type="number"
                    min={0}
                    max={100}
                    value={l.quantity}
                    disabled={submitting}
                    onChange={(e) => cart.setQuantity(l.sku, Math.floor(Number(e.target.value) || 0))}
                  />
                </label>
                <span className="cart-price">{money(l.priceCents * l.quantity, l.currency)}</span>
                <button
                  type="button"
                  className="link"
                  disabled={submitting}
                  onClick={() => cart.setQuantity(l.sku, 0)}
                  aria-label={`Remove ${l.name}`}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <p className="cart-total">
            Total <strong>{money(cart.totalCents, cart.currency ?? "USD")}</strong>
          </p>
          <fieldset className="delivery" disabled={submitting}>
            <legend>Deliver to</legend>
            <LocationFields input={where} />
          </fieldset>
          {!customer && (
            <p className="notice">
              <Link to="/signin">Sign in as a customer</Link> to check out.
            </p>
          )}
          {customer && (
            <button
              type="button"
              className="primary wide"
              onClick={placeOrder}
              disabled={submitting || where.location === null}
              aria-busy={submitting}
            >
              {submitting
                ? "Placing your order…"
                : state.phase === "failed" && state.retryable
                  ? "Try again"
                  : `Place order · ${money(cart.totalCents, cart.currency ?? "USD")}`}
            </button>
          )}
          {state.phase === "failed" && (
            <div className="notice notice-error" role="alert">
              {state.message}
              {state.retryable && " Your order is safe to retry: it will not be placed twice."}
            </div>
          )}
        </>
      )}
    </aside>
  );
}
