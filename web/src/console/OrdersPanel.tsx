import { useState } from "react";
import { ApiError, apiFor } from "../api/client";
import type { OrderStatus } from "../api/types";
import { ErrorNotice } from "../components/Notice";
import { Timeline } from "../components/Timeline";
import { dateTime, duration, money } from "../format";
import { useInterval, usePages } from "../hooks";
import { Link } from "../router";
import type { Session } from "../session";

const STATUSES: readonly (OrderStatus | "")[] = ["", "PENDING", "CONFIRMED", "FAILED", "DELIVERED"];

/** Orders across customers (GET /v1/admin/orders), filtered by status and customer, each with its saga timeline. */
export function OrdersPanel({ session }: { session: Session }) {
  const api = apiFor(session.token);
  const [status, setStatus] = useState<OrderStatus | "">("");
  const [customer, setCustomer] = useState("");
  const customerId = customer.trim();
  const orders = usePages(
    (cursor) => api.adminOrders({ status, customerId, cursor }),
    [session.token, status, customerId],
  );
  useInterval(orders.reload, 5_000);
  const missing = orders.error instanceof ApiError && orders.error.status === 404;

  return (
    <section id="orders" className="panel panel-wide" aria-labelledby="orders-title">
      <h2 id="orders-title">Orders</h2>
      <form className="inline-form" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as OrderStatus | "")}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === "" ? "any" : s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Customer
          <input value={customer} placeholder="any" onChange={(e) => setCustomer(e.target.value)} />
        </label>
      </form>
      {missing ? (
        <p className="notice">This gateway does not list orders across customers yet (GET /v1/admin/orders).</p>
      ) : (
        <ErrorNotice error={orders.data === null ? orders.error : null} retry={orders.reload} />
      )}
      {orders.data?.items.length === 0 && <p className="muted">No orders match.</p>}
      <ul className="admin-orders">
        {orders.data?.items.map((o) => (
          <li key={o.id}>
            <details>
              <summary>
                <span className={`status status-${o.status.toLowerCase()}`}>{o.status}</span>
                <span className="admin-order-customer">{o.customerId}</span>
                <span>{money(o.totalCents, o.currency)}</span>
                <span className="muted">{dateTime(o.createdAt)}</span>
                <span className="muted">
                  {o.history.length} steps
                  {o.history.length > 1 &&
                    ` in ${duration(o.history[0]?.at ?? o.createdAt, o.history[o.history.length - 1]?.at ?? o.updatedAt)}`}
                </span>
                {o.failureReason !== undefined && <code className="code">{o.failureReason}</code>}
              </summary>
              <p>
                <Link to={`/orders/${encodeURIComponent(o.id)}`}>Order {o.id}</Link>
                {o.riderId !== undefined && <> · rider {o.riderId}</>}
              </p>
              <Timeline history={o.history} showDetail />
            </details>
          </li>
        ))}
      </ul>
      {orders.data?.next != null && (
        <button type="button" className="secondary" onClick={orders.more}>
          Older orders
        </button>
      )}
    </section>
  );
}
