import { createHash } from "node:crypto";

/** JSON with object keys sorted at every depth, so two bodies that differ only in key order match. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** What the order service compares to tell a repeated request from a reused idempotency key. */
export const requestHash = (body: unknown): string => createHash("sha256").update(canonicalJson(body)).digest("hex");
