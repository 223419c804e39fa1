import { invalid, refused, type AppError } from "@qc/platform/errors";

/** Stable codes of every error the rider service answers with; callers branch on these, never on messages. */
export type RiderErrorCode =
  | "INVALID_RIDER_ID"
  | "INVALID_LOCATION"
  | "INVALID_RADIUS"
  | "INVALID_LIMIT"
  | "INVALID_ORDER_ID"
  | "NO_RIDER_AVAILABLE";

/** A rider error: a value domain checks return (in a `Checked`) and use cases throw. */
export type RiderError = AppError<RiderErrorCode>;

// Input is echoed in messages to help the caller, but never at unbounded length.
export const shown = (s: string): string => JSON.stringify(s.length > 70 ? `${s.slice(0, 70)}…` : s);

export const invalidInput = (code: RiderErrorCode, message: string): RiderError => invalid(code, message);

export const noRiderAvailable = (radiusKm: number): RiderError =>
  refused("NO_RIDER_AVAILABLE", `no free rider within ${radiusKm} km`);
