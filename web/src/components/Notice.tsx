import { useConnectivity } from "../connectivity";
import { describeError } from "../messages";

/** The platform's state when it is not well: says so, and goes away by itself once it is back. */
export function ConnectivityBanner() {
  const { degraded, reason, unavailable } = useConnectivity();
  if (!degraded) return null;
  const which = unavailable.length > 0 ? ` (${unavailable.map((u) => u.replace(/\s*\(.*\)$/, "")).join(", ")})` : "";
  const text =
    reason === "unreachable"
      ? "The shop can't be reached right now."
      : `Some of our services are unavailable right now${which}.`;
  return (
    <div className="banner" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {text} We'll retry automatically — this page recovers by itself.
    </div>
  );
}

/** A failure in a page, in plain words (never a raw error). */
export function ErrorNotice({ error, retry }: { error: unknown; retry?: () => void }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="notice notice-error" role="alert">
      <span>{describeError(error)}</span>
      {retry !== undefined && (
        <button type="button" className="secondary small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
