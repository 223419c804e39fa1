import { useState } from "react";
import type { Location } from "../api/types";

/** A typed position: its two fields as typed, and the position when both are valid (a geo index holds ±85°). */
export function useLocationInput(initial: Location) {
  const [lat, setLat] = useState(String(initial.lat));
  const [lon, setLon] = useState(String(initial.lon));
  const latN = Number(lat);
  const lonN = Number(lon);
  const valid =
    lat.trim() !== "" &&
    lon.trim() !== "" &&
    Number.isFinite(latN) &&
    Number.isFinite(lonN) &&
    Math.abs(latN) <= 85 &&
    Math.abs(lonN) <= 180;
  return { lat, lon, setLat, setLon, location: valid ? { lat: latN, lon: lonN } : null };
}

export type LocationInput = ReturnType<typeof useLocationInput>;

/** The latitude and longitude fields of a form. */
export function LocationFields({ input }: { input: LocationInput }) {
  return (
    <>
      <label>
        Latitude <input inputMode="decimal" value={input.lat} onChange={(e) => input.setLat(e.target.value)} />
      </label>
      <label>
        Longitude <input inputMode="decimal" value={input.lon} onChange={(e) => input.setLon(e.target.value)} />
      </label>
    </>
  );
}
