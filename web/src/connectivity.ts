import { useSyncExternalStore } from "react";

/**
 * Whether the platform answers: any page that hits a network error or a 502/503/504 marks it
 * degraded, and the app then asks /readyz every few seconds until everything is back, so pages
 * recover by themselves (they re-load when `recoveries` moves) and the banner goes away.
 */
export interface Connectivity {
  readonly degraded: boolean;
  /** The code that made it degraded (unreachable, SERVICE_UNAVAILABLE, CIRCUIT_OPEN, …). */
  readonly reason: string | null;
  /** The upstream services /readyz names as down. */
  readonly unavailable: readonly string[];
  /** Counts returns to health: a page re-loads what failed when it changes. */
  readonly recoveries: number;
}

let state: Connectivity = { degraded: false, reason: null, unavailable: [], recoveries: 0 };
const listeners = new Set<() => void>();
let probe: ReturnType<typeof setTimeout> | null = null;

/** How often /readyz is asked while degraded. */
export const READY_PROBE_MS = 2_000;

function set(next: Connectivity): void {
  state = next;
  for (const l of listeners) l();
}

export function reportFailure(reason: string): void {
  if (!state.degraded || state.reason !== reason) set({ ...state, degraded: true, reason });
  probe ??= setTimeout(() => void checkReady(), READY_PROBE_MS);
}

export function reportSuccess(): void {
  if (state.degraded) recovered();
}

function recovered(): void {
  if (probe !== null) clearTimeout(probe);
  probe = null;
  set({ degraded: false, reason: null, unavailable: [], recoveries: state.recoveries + 1 });
}

async function checkReady(): Promise<void> {
  probe = null;
  if (!state.degraded) return;
  try {
    const res = await fetch("/readyz", { headers: { accept: "application/json" } });
    if (res.ok) return recovered();
    const body: unknown = await res.json().catch(() => null);
    const unavailable =
      typeof body === "object" && body !== null && Array.isArray((body as { unavailable?: unknown }).unavailable)
        ? (body as { unavailable: unknown[] }).unavailable.filter((s): s is string => typeof s === "string")
        : [];
    set({ ...state, unavailable });
  } catch {
    set({ ...state, reason: "unreachable" });
  }
  if (state.degraded) probe ??= setTimeout(() => void checkReady(), READY_PROBE_MS);
}

export const subscribeConnectivity = (listener: () => void): (() => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const connectivity = (): Connectivity => state;

export function useConnectivity(): Connectivity {
  return useSyncExternalStore(subscribeConnectivity, connectivity, connectivity);
}
