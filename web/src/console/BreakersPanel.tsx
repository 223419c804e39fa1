import { apiFor } from "../api/client";
import { ErrorNotice } from "../components/Notice";
import { useInterval, useResource } from "../hooks";
import type { Session } from "../session";

/** Every circuit breaker between the services, refreshed every 2 s. */
export function BreakersPanel({ session }: { session: Session }) {
  const api = apiFor(session.token);
  const breakers = useResource(() => api.circuitBreakers(), [session.token]);
  useInterval(breakers.reload, 2_000);
  return (
    <section id="breakers" className="panel" aria-labelledby="breakers-title">
      <h2 id="breakers-title">Circuit breakers</h2>
      <ErrorNotice error={breakers.error} />
      {breakers.data?.items.length === 0 && <p className="muted">No breakers reported yet.</p>}
      <ul className="breakers">
        {breakers.data?.items.map((b) => (
          <li key={`${b.caller}-${b.target}`} className={`breaker breaker-${b.state}`}>
            <span className="breaker-route">
              {b.caller} → {b.target}
            </span>
            <span className="breaker-state">{b.state}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
