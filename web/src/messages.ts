import { ApiError, NetworkError } from "./api/client";

/** What a failure means for the person in front of the app: never a raw error, never internals. */
export function describeError(err: unknown): string {
  if (err instanceof NetworkError) return "The shop can't be reached right now. We'll keep trying.";
  if (!(err instanceof ApiError)) return "Something went wrong in this page. Reload it to try again.";
  switch (err.code) {
    case "UNAUTHORIZED":
    case "TOKEN_EXPIRED":
    case "INVALID_TOKEN":
      return "Your sign-in has expired or is not valid any more. Sign in again.";
    case "FORBIDDEN":
      return "This needs another role: sign in as someone who may do it.";
    case "RATE_LIMITED":
      return `Too many requests at once. Wait ${err.retryAfterS ?? "a few"} seconds and try again.`;
    case "OVERLOADED":
      return "The shop is very busy right now. Try again in a moment.";
    case "CIRCUIT_OPEN":
    case "SERVICE_UNAVAILABLE":
    case "DEADLINE_EXCEEDED":
      return "A service is unavailable right now. Try again in a moment.";
    default:
      break;
  }
  if (err.status === 401) return "Sign in to continue.";
  if (err.status === 403) return "This needs another role: sign in as someone who may do it.";
  if (err.status === 404) return "Not found.";
  if (err.status >= 500) return "A service is unavailable right now. Try again in a moment.";
  // A refusal of what was asked: its detail names the field or the rule (no internals in 4xx).
  return err.problem?.detail ?? `The request was refused (${err.code}).`;
}

/** Why an order failed, in plain words, from its stable failure code. */
export function failureReason(code: string | undefined, currency: string): string {
  switch (code) {
    case "PAYMENT_DECLINED":
      return `Your payment was declined: your wallet does not hold enough ${currency} for this order.`;
    case "OUT_OF_STOCK":
      return "Some items ran out of stock before we could reserve them.";
    case "SERVICE_UNAVAILABLE":
    case "CIRCUIT_OPEN":
    case "DEADLINE_EXCEEDED":
    case "OVERLOADED":
      return "One of our services was unavailable, so the order could not go through. Please try again.";
    case "UNKNOWN_SKU":
      return "An item in the order is no longer sold.";
    default:
      return "The order could not be processed.";
  }
}
