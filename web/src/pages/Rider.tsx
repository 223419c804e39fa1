import { useState, type FormEvent } from "react";
import { apiFor } from "../api/client";
import type { Location, Order } from "../api/types";
import { useConfirm } from "../components/ConfirmDialog";
import { LocationFields, useLocationInput } from "../components/LocationFields";
import { ErrorNotice } from "../components/Notice";
import { Plot } from "../components/Plot";
import { time } from "../format";
import { useInterval, useResource } from "../hooks";
import type { Session } from "../session";

/** How often the rider's screen asks for their assignment (the platform assigns in the background). */
const ASSIGNMENT_POLL_MS = 3_000;

/** A rider's screen: say where they are, see the order they carry and its delivery point, deliver it. */
export default function RiderView({ session }: { session: Session }) {
  const api = apiFor(session.token);
  const where = useLocationInput({ lat: 52.523, lon: 13.41 });
  const [available, setAvailable] = useState(true);
  const [reported, setReported] = useState<{ at: Date; where: Location; available: boolean } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [delivered, setDelivered] = useState<Order | null>(null);
  const assignment = useResource(() => api.riderAssignment(session.subject), [session.token, session.subject]);
  useInterval(assignment.reload, ASSIGNMENT_POLL_MS);
  const carried = assignment.data ?? null;
  const [geoNote, setGeoNote] = useState<string | null>(null);
  const { confirm, dialog } = useConfirm();

  const report = async (position: Location) => {
    setBusy(true);
    setError(null);
    try {
      await api.reportLocation(session.subject, position.lat, position.lon, available);
      setReported({ at: new Date(), where: position, available });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const onReport = (e: FormEvent) => {
    e.preventDefault();
    if (where.location !== null) void report(where.location);
  };

  const useBrowserLocation = () => {
    if (!("geolocation" in navigator)) {
      setGeoNote("This browser cannot tell where it is: type the position instead.");
      return;
    }
    setGeoNote("Asking the browser where you are…");
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        where.setLat(pos.coords.latitude.toFixed(6));
        where.setLon(pos.coords.longitude.toFixed(6));
        setGeoNote(null);
        void report({ lat: pos.coords.latitude, lon: pos.coords.longitude });
      },
      () => setGeoNote("The browser did not give a position: type it instead."),
      { timeout: 10_000 },
    );
  };

  const deliver = async (order: Order) => {
    if (
      !(await confirm("Mark as delivered?", <p>Order {order.id} is handed over to the customer.</p>, "Mark delivered"))
    )
      return;
    setBusy(true);
    setError(null);
    try {
      setDelivered(await api.markDelivered(order.id));
      assignment.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const target = carried?.deliveryLocation ?? delivered?.deliveryLocation;

  const points = [
    ...(reported
      ? [
          {
            id: "you",
            label: `you (${session.subject})`,
            lat: reported.where.lat,
            lon: reported.where.lon,
            kind: "rider" as const,
          },
        ]
      : []),
    ...(target
      ? [{ id: "drop", label: "delivery point", lat: target.lat, lon: target.lon, kind: "target" as const }]
      : []),
  ];

  return (
    <div className="rider">
      <h1>Rider {session.subject}</h1>
      <ErrorNotice error={error} />
      <section aria-labelledby="where-title" className="card">
        <h2 id="where-title">Where you are</h2>
        <form className="inline-form" onSubmit={onReport}>
          <LocationFields input={where} />
          <label className="check">
            <input type="checkbox" checked={available} onChange={(e) => setAvailable(e.target.checked)} /> Available for
            orders
          </label>
          <button type="submit" disabled={busy || where.location === null}>
            Report location
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={useBrowserLocation}>
            Use my location
          </button>
        </form>
        {geoNote !== null && <p className="muted">{geoNote}</p>}
        {reported !== null && (
          <p className="notice" role="status">
            Reported {reported.where.lat.toFixed(5)}, {reported.where.lon.toFixed(5)} at{" "}
            {time(reported.at.toISOString())} —{" "}
            {reported.available ? "you can be assigned an order." : "you will not be assigned orders."}
          </p>
        )}
      </section>
      <section aria-labelledby="deliver-title" className="card">
        <h2 id="deliver-title">Your delivery</h2>
        <ErrorNotice error={carried === null ? assignment.error : null} />
        {carried !== null ? (
          <div className="assignment" data-testid="assignment">
            <p>
              Order <code>{carried.id}</code> for {carried.customerId}:{" "}
              {carried.items.map((i) => `${i.quantity} × ${i.sku}`).join(", ")}.
            </p>
            <p>
              Deliver to{" "}
              {carried.deliveryLocation !== undefined ? (
                <strong>
                  {carried.deliveryLocation.lat.toFixed(5)}, {carried.deliveryLocation.lon.toFixed(5)}
                </strong>
              ) : (
                "the address the customer gives (no delivery point was set)"
              )}
              .
            </p>
            <button type="button" disabled={busy} onClick={() => void deliver(carried)}>
              Mark delivered
            </button>
          </div>
        ) : (
          // undefined: asked, and none (null: not answered yet)
          assignment.data === undefined && (
            <p className="muted">
              No order for you yet. Keep your location reported and say you are available: the platform assigns you the
              nearest paid order, and it shows here.
            </p>
          )
        )}
        {delivered !== null && (
          <div className="notice" role="status">
            Order <code>{delivered.id}</code> is <span className="status status-delivered">{delivered.status}</span>
            {delivered.deliveryLocation !== undefined && (
              <>
                {" "}
                at {delivered.deliveryLocation.lat.toFixed(5)}, {delivered.deliveryLocation.lon.toFixed(5)}
              </>
            )}
            . You are free for the next one.
          </div>
        )}
      </section>
      {points.length > 0 && (
        <section aria-labelledby="map-title" className="card">
          <h2 id="map-title">On the plot</h2>
          <Plot points={points} title="Your position and the delivery point" />
        </section>
      )}
      {dialog}
    </div>
  );
}
