import { useSyncExternalStore } from "react";
import type { Role } from "./api/types";

/** Who is signed in: the bearer token and what it says (read, not verified: the gateway verifies it). */
export interface Session {
  readonly token: string;
  readonly subject: string;
  readonly role: Role;
  /** Seconds since the epoch. */
  readonly expiresAt: number | null;
}

const KEY = "qc.session";
const ROLES: readonly string[] = ["customer", "rider", "admin"];

function base64UrlDecode(part: string): string {
  const b64 = part
    .replaceAll("-", "+")
    .replaceAll("_", "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The session a JWT describes, or null when it is not a token of this platform's shape. */
export function sessionFromToken(token: string): Session | null {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts[1] === undefined) return null;
  try {
    const claims: unknown = JSON.parse(base64UrlDecode(parts[1]));
    if (typeof claims !== "object" || claims === null) return null;
    const { sub, role, exp } = claims as { sub?: unknown; role?: unknown; exp?: unknown };
    if (typeof sub !== "string" || typeof role !== "string" || !ROLES.includes(role)) return null;
    return { token: token.trim(), subject: sub, role: role as Role, expiresAt: typeof exp === "number" ? exp : null };
  } catch {
    return null;
  }
}

const listeners = new Set<() => void>();
let current: Session | null = load();

function load(): Session | null {
  try {
    const token = localStorage.getItem(KEY);
    const session = token === null ? null : sessionFromToken(token);
    if (session?.expiresAt != null && session.expiresAt * 1000 <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export function signIn(session: Session): void {
  localStorage.setItem(KEY, session.token);
  current = session;
  for (const l of listeners) l();
}

export function signOut(): void {
  localStorage.removeItem(KEY);
  current = null;
  for (const l of listeners) l();
}

const subscribe = (l: () => void): (() => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useSession(): Session | null {
  return useSyncExternalStore(
    subscribe,
    () => current,
    () => current,
  );
}
