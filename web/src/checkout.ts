import { useCallback, useRef, useState } from "react";
import { ApiError, isTransient } from "./api/client";
import type { CreateOrderBody, Order } from "./api/types";
import { describeError } from "./messages";

/**
 * One checkout attempt: its Idempotency-Key and the body sent with it. The key is made when the
 * checkout starts and kept until the platform has answered with an order, so a double click or a retry
 * after a network error or a 503 sends the same key and the gateway answers the first order again
 * instead of making a second one. A new body (the cart changed) is a new attempt with a new key (the
 * same key with another body is refused, 422). Kept in sessionStorage: a reload mid-checkout keeps it.
 */
interface Attempt {
  readonly key: string;
  readonly body: string;
}

export type CheckoutState =
  | { readonly phase: "idle" }
  | { readonly phase: "submitting"; readonly key: string }
  | { readonly phase: "failed"; readonly key: string | null; readonly message: string; readonly retryable: boolean };

export interface CheckoutDeps {
  readonly createOrder: (body: CreateOrderBody, idempotencyKey: string) => Promise<Order>;
  /** A fresh key; crypto.randomUUID by default. */
  newKey?: () => string;
  storage?: Pick<Storage, "getItem" | "setItem" | "removeItem">;
}

const STORAGE_KEY = "qc.checkout";

function readAttempt(storage: CheckoutDeps["storage"]): Attempt | null {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (raw == null) return null;
    const parsed: unknown = JSON.parse(raw);
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      typeof (parsed as Attempt).key === "string" &&
      typeof (parsed as Attempt).body === "string"
    ) {
      return parsed as Attempt;
    }
  } catch {
    // unreadable: start afresh
  }
  return null;
}

export function useCheckout(deps: CheckoutDeps, onPlaced: (order: Order) => void) {
  const storage = deps.storage ?? sessionStorage;
  const [state, setState] = useState<CheckoutState>({ phase: "idle" });
  const inFlight = useRef<Promise<void> | null>(null);
  const depsRef = useRef(deps);
  depsRef.current = deps;
  const placedRef = useRef(onPlaced);
  placedRef.current = onPlaced;

  const checkout = useCallback(
    (body: CreateOrderBody): Promise<void> => {
      // A second click while the first is on its way: the same request, nothing sent again.
      if (inFlight.current !== null) return inFlight.current;
      const json = JSON.stringify(body);
      let attempt = readAttempt(storage);
      if (attempt === null || attempt.body !== json) {
        attempt = { key: (depsRef.current.newKey ?? (() => crypto.randomUUID()))(), body: json };
        storage.setItem(STORAGE_KEY, JSON.stringify(attempt));
      }
      const { key } = attempt;
      setState({ phase: "submitting", key });
      const done = (order: Order) => {
        // The platform has an order for this key: the attempt is over, a next checkout is a new one.
        storage.removeItem(STORAGE_KEY);
        setState({ phase: "idle" });
        placedRef.current(order);
      };
      const sent = depsRef.current.createOrder(body, key).then(done, (err: unknown) => {
        if (err instanceof ApiError && err.problem?.order !== undefined) return done(err.problem.order);
        const retryable = isTransient(err);
        // Not worth the same key again (a refusal no retry changes): the next click starts afresh.
        if (!retryable) storage.removeItem(STORAGE_KEY);
        setState({ phase: "failed", key: retryable ? key : null, message: describeError(err), retryable });
      });
      inFlight.current = sent.finally(() => {
        inFlight.current = null;
      });
      return inFlight.current;
    },
    [storage],
  );

  return { state, checkout };
}
