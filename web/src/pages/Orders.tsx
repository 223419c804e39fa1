import { apiFor } from "../api/client";
import type { Order } from "../api/types";
import { ErrorNotice } from "../components/Notice";
import { dateTime, money, shortId } from "../format";
import { usePages } from "../hooks";
import { Link } from "../router";
import type { Session } from "../session";

/** The customer's orders, newest first, a page at a time (the API's nextCursor). */
export function Orders({ session }: { session: Session }) {
  const api = apiFor(session.token);
  const pages = usePages((cursor) => api.myOrders(cursor), [session.token]);
  return (
    <div>
      <h1>Your orders</h1>
      <ErrorNotice error={pages.data === null ? pages.error : null} retry={pages.reload} />
      {pages.data?.items.length === 0 && (
        <p className="muted">
          No orders yet. <Link to="/">Go shopping</Link>.
        </p>
      )}
      {pages.data !== null && pages.data.items.length > 0 && <OrderTable orders={pages.data.items} />}
      {pages.data?.next != null && (
        <button type="button" className="secondary" onClick={pages.more}>
          Older orders
        </button>
      )}
    </div>
  );
}

export function OrderTable({ orders, showCustomer = false }: { orders: readonly Order[]; showCustomer?: boolean }) {
  return (
    <table className="orders">
      <thead>
        <tr>
          <th scope="col">Order</th>
          {showCustomer && <th scope="col">Customer</th>}
          <th scope="col">Placed</th>
          <th scope="col">Status</th>
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((o) => (
          <tr key={o.id}>
            <td>
              <Link to={`/orders/${encodeURIComponent(o.id)}`} title={o.id}>
                {shortId(o.id)}
              </Link>
            </td>
            {showCustomer && <td>{o.customerId}</td>}
            <td>{dateTime(o.createdAt)}</td>
            <td>
              <span className={`status status-${o.status.toLowerCase()}`}>{o.status}</span>
            </td>
            <td>{money(o.totalCents, o.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
