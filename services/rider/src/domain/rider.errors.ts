/**
 * How a broken rule is reported. Mirrors the platform's error kinds so the app layer can raise a
 * violation unchanged, while the domain itself depends on nothing.
 */
export type ViolationKind = "invalid" | "refused";

/** Stable codes of every error the rider service answers with; callers branch on these, never on messages. */
export type RiderErrorCode =
  | "INVALID_RIDER_ID"
  | "INVALID_LOCATION"
  | "INVALID_RADIUS"
  | "INVALID_LIMIT"
  | "INVALID_ORDER_ID"
  | "NO_RIDER_AVAILABLE";

/** A broken rule as a plain value, so domain code needs no error framework. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly code: RiderErrorCode;
  readonly message: string;
}

/** Parsed input, or the first rule it breaks. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly violation: Violation };

export const accepted = <T>(value: T): Checked<T> => ({ ok: true, value });
export const rejected = (violation: Violation): Checked<never> => ({ ok: false, violation });

// Input is echoed in messages to help the caller, but never at unbounded length.
export const shown = (s: string): string => JSON.stringify(s.length > 70 ? `${s.slice(0, 70)}…` : s);

export const invalidInput = (code: RiderErrorCode, message: string): Violation => ({ kind: "invalid", code, message });

export const noRiderAvailable = (radiusKm: number): Violation => ({
  kind: "refused",
  code: "NO_RIDER_AVAILABLE",
  message: `no free rider within ${radiusKm} km`,
});
