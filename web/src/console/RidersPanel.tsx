import { apiFor } from "../api/client";
import type { RiderPosition } from "../api/types";
import { ErrorNotice } from "../components/Notice";
import { Plot } from "../components/Plot";
import { time } from "../format";
import { useInterval, useResource } from "../hooks";
import type { Session } from "../session";

/** The store (the order service's STORE_LAT/STORE_LON default), drawn for reference. */
const STORE = { lat: 52.5219, lon: 13.4132 };

/** What a rider is doing, in words. */
export function riderState(r: RiderPosition): string {
  if (r.busy) return `busy with order ${r.orderId ?? ""}`.trimEnd();
  return r.available ? "free" : "unavailable";
}

/** Riders at their last reported positions (GET /v1/admin/riders), on a locally drawn plot (no map tiles), refreshed every 5 s. */
export function RidersPanel({ session }: { session: Session }) {
  const api = apiFor(session.token);
  const riders = useResource(() => api.riders(), [session.token]);
  useInterval(riders.reload, 5_000);

  const items = riders.data?.items ?? [];
  const points = [
    { id: "store", label: "store", lat: STORE.lat, lon: STORE.lon, kind: "center" as const },
    ...items.map((r) => ({
      id: r.riderId,
      label: `${r.riderId} (${riderState(r)})`,
      lat: r.lat,
      lon: r.lon,
      kind: "rider" as const,
    })),
  ];
  return (
    <section id="riders" className="panel" aria-labelledby="riders-title">
      <h2 id="riders-title">Riders</h2>
      <p className="muted">Every rider who reported a position lately, where they last were.</p>
      <ErrorNotice error={riders.data === null ? riders.error : null} />
      <Plot points={points} title="Riders and the store" />
      {riders.data !== null && items.length === 0 && <p className="muted">No rider has reported a location lately.</p>}
      {items.length > 0 && (
        <ul className="rider-list">
          {items.map((r) => (
            <li key={r.riderId} data-testid={`rider-${r.riderId}`}>
              {r.riderId} · {riderState(r)} · seen {time(r.seenAt)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
