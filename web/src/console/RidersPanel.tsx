import { useState } from "react";
import { apiFor } from "../api/client";
import { ErrorNotice } from "../components/Notice";
import { Plot } from "../components/Plot";
import { useInterval, useResource } from "../hooks";
import type { Session } from "../session";
import { offsets, trilaterate } from "./trilaterate";

/** The store (the order service's STORE_LAT/STORE_LON default): riders are looked for around it. */
const STORE = { lat: 52.5219, lon: 13.4132 };
const OFFSET_KM = 5;

/** Riders around a point, placed on a locally drawn plot (no map tiles), refreshed every 5 s. */
export function RidersPanel({ session }: { session: Session }) {
  const api = apiFor(session.token);
  const [radius, setRadius] = useState(10);
  const riders = useResource(async () => {
    const { east, north } = offsets(STORE, OFFSET_KM);
    // The side points need a radius that still reaches every rider within `radius` of the center.
    const wide = Math.min(50, radius + OFFSET_KM);
    const [a, b, c] = await Promise.all([
      api.nearbyRiders(STORE.lat, STORE.lon, radius),
      api.nearbyRiders(east.lat, east.lon, wide),
      api.nearbyRiders(north.lat, north.lon, wide),
    ]);
    return { nearest: a.items, positions: trilaterate(STORE, OFFSET_KM, a.items, b.items, c.items) };
  }, [session.token, radius]);
  useInterval(riders.reload, 5_000);

  const points = [
    { id: "store", label: "store", lat: STORE.lat, lon: STORE.lon, kind: "center" as const },
    ...(riders.data?.positions ?? []).map((r) => ({ id: r.riderId, label: r.riderId, lat: r.lat, lon: r.lon, kind: "rider" as const })),
  ];
  return (
    <section id="riders" className="panel" aria-labelledby="riders-title">
      <h2 id="riders-title">Riders</h2>
      <label className="inline-label">
        Within
        <select value={radius} onChange={(e) => setRadius(Number(e.target.value))}>
          {[2, 5, 10, 25, 45].map((r) => (
            <option key={r} value={r}>
              {r} km
            </option>
          ))}
        </select>
        of the store
      </label>
      <ErrorNotice error={riders.data === null ? riders.error : null} />
      <Plot points={points} title="Riders around the store" />
      {riders.data?.nearest.length === 0 && <p className="muted">No available rider has reported a location nearby.</p>}
      {riders.data !== null && riders.data.nearest.length > 0 && (
        <ul className="rider-list">
          {riders.data.nearest.map((r) => (
            <li key={r.riderId}>
              {r.riderId} · {r.distanceKm.toFixed(2)} km
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
