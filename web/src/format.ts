const formats = new Map<string, Intl.NumberFormat>();

/** Integer cents in a currency, for people: 199 EUR → €1.99. */
export function money(cents: number, currency: string): string {
  let f = formats.get(currency);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat("en", { style: "currency", currency });
    } catch {
      f = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    formats.set(currency, f);
  }
  return f.format(cents / 100);
}

/** An RFC 3339 instant as a local time of day with seconds. */
export function time(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : d.toLocaleTimeString("en-GB", { hour12: false });
}

export function dateTime(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime())
    ? at
    : d.toLocaleString("en-GB", { hour12: false, dateStyle: "medium", timeStyle: "medium" });
}

/** Milliseconds between two instants, for people: 38 ms, 1.2 s, 3 min. */
export function duration(fromAt: string, toAt: string): string {
  const ms = new Date(toAt).getTime() - new Date(fromAt).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** A short form of an order id for lists (the full id stays in links and titles). */
export const shortId = (id: string): string => (id.length > 10 ? `${id.slice(0, 8)}…` : id);
