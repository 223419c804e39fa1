import { useEffect, useState } from "react";
import { watchOrder } from "../api/order-events";
import type { Order } from "../api/types";
import { ErrorNotice } from "../components/Notice";
import { OrderProgress } from "../components/OrderProgress";
import { Timeline } from "../components/Timeline";
import { dateTime, money } from "../format";
import { Link } from "../router";
import type { Session } from "../session";

/** One order, followed live until it is delivered or failed. */
export function OrderPage({ id, session }: { id: string; session: Session }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    watchOrder(id, {
      token: session.token,
      signal: abort.signal,
      onOrder: (o) => {
        setOrder(o);
        setError(null);
      },
      onError: setError,
    }).catch((err: unknown) => {
      if (!abort.signal.aborted) setError(err);
    });
    return () => abort.abort();
  }, [id, session.token, attempt]);

  return (
    <div className="order-page">
      <p>
        <Link to="/orders">← Your orders</Link>
      </p>
      <h1>
        Order <code title={id}>{id}</code>
      </h1>
      <ErrorNotice error={error} retry={order === null ? () => setAttempt((a) => a + 1) : undefined} />
      {order === null && error === null && <p className="muted">Loading the order…</p>}
      {order !== null && (
        <>
          <div aria-live="polite" className="visually-hidden">
            Order status: {order.status}
          </div>
          <OrderProgress order={order} />
          <section className="order-summary" aria-labelledby="summary-title">
            <h2 id="summary-title">What you ordered</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Quantity</th>
                  <th scope="col">Price</th>
                </tr>
              </thead>
              <tbody>
                {order.items.map((i) => (
                  <tr key={i.sku}>
                    <td>{i.sku}</td>
                    <td>{i.quantity}</td>
                    <td>{money(i.priceCents * i.quantity, order.currency)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={2}>
                    Total
                  </th>
                  <td>{money(order.totalCents, order.currency)}</td>
                </tr>
              </tfoot>
            </table>
            <p className="muted">
              Placed {dateTime(order.createdAt)}
              {order.riderId !== undefined && <> · rider {order.riderId}</>}
              {order.deliveryLocation !== undefined && (
                <>
                  {" "}
                  · to {order.deliveryLocation.lat.toFixed(4)}, {order.deliveryLocation.lon.toFixed(4)}
                </>
              )}
            </p>
            {order.status === "FAILED" && (
              <p>
                <Link to="/">Back to the shop</Link> — your cart is still there.
              </p>
            )}
          </section>
          <section aria-labelledby="history-title">
            <h2 id="history-title">What happened</h2>
            <Timeline history={order.history} />
          </section>
        </>
      )}
    </div>
  );
}
