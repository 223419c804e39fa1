/**
 * What kind of failure an error is. The kind, not the class, decides the gRPC status and the HTTP
 * status, because `instanceof` does not survive a process boundary but a string does.
 */
export type ErrorKind =
  | "invalid" // the request is malformed or breaks a rule of the input
  | "not_found"
  | "conflict" // the thing already exists, or the request contradicts an earlier one
  | "refused" // a business refusal: out of stock, payment declined
  | "unavailable" // a dependency is down or slow; the caller may try again later
  | "internal";

/**
 * An error with a stable machine-readable `code` (e.g. `OUT_OF_STOCK`) that every layer can map
 * without parsing messages.
 */
export class AppError<Code extends string = string> extends Error {
  override readonly name = "AppError";
  /**
   * True when the call that failed with this error may still have taken effect although the error
   * itself reads like a clean refusal: an earlier attempt of the same call timed out or lost its
   * connection before a retry was refused (by the target, or by an open circuit).
   */
  readonly outcomeUnknown: boolean;

  constructor(
    readonly kind: ErrorKind,
    readonly code: Code,
    message: string,
    options?: { cause?: unknown; outcomeUnknown?: boolean },
  ) {
    super(message, options);
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Fails at once, without touching the network, while the target's circuit breaker is open. */
export const CIRCUIT_OPEN = "CIRCUIT_OPEN";

/**
 * The callee is alive but shedding load: it refused the work at once (a full queue, not enough time
 * left before the caller's deadline) and did none of it. Sent on the wire as RESOURCE_EXHAUSTED; an
 * overloaded answer never counts against a circuit breaker (busy is not dead).
 */
export const OVERLOADED = "OVERLOADED";

/** The work was refused because the callee is at capacity; the caller may try again shortly. */
export const overloaded = (message: string): AppError => new AppError("unavailable", OVERLOADED, message);

/**
 * True only when a call that failed with `err` certainly did nothing: the target refused it (bad
 * input, not found, conflict, a business refusal) or it never left this process (an open circuit),
 * and no earlier attempt of the same call may have reached the target. Anything else — a deadline,
 * a lost connection, an internal error, a crash — leaves the outcome unknown.
 */
export const certainlyNoEffect = (err: unknown): boolean =>
  isAppError(err) &&
  !err.outcomeUnknown &&
  (err.kind === "refused" ||
    err.kind === "invalid" ||
    err.kind === "not_found" ||
    err.kind === "conflict" ||
    err.code === CIRCUIT_OPEN);

/** The same error, marked as the end of a call whose earlier attempt may have taken effect. */
export const withOutcomeUnknown = (err: AppError): AppError =>
  err.outcomeUnknown ? err : new AppError(err.kind, err.code, err.message, { cause: err, outcomeUnknown: true });

// The factories every service builds its own errors with (in `domain/<service>.errors.ts`), each
// with a stable code. The kind decides the gRPC status (adapters, once) and the HTTP status (gateway, once).
export const invalid = <C extends string>(code: C, message: string): AppError<C> =>
  new AppError("invalid", code, message);
export const notFound = <C extends string>(code: C, message: string): AppError<C> =>
  new AppError("not_found", code, message);
export const conflict = <C extends string>(code: C, message: string): AppError<C> =>
  new AppError("conflict", code, message);
export const refused = <C extends string>(code: C, message: string): AppError<C> =>
  new AppError("refused", code, message);

/**
 * What a domain check returns: the parsed value, or the first rule the input breaks as an AppError
 * value. Domain code returns it and never throws; a use case unwraps it with `valueOrThrow`.
 */
export type Checked<T, Code extends string = string> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly violation: AppError<Code> };

export const accepted = <T>(value: T): Checked<T, never> => ({ ok: true, value });
export const rejected = <C extends string>(violation: AppError<C>): Checked<never, C> => ({ ok: false, violation });

/** The checked value, or its violation thrown (for the gRPC adapter to answer with). */
export function valueOrThrow<T>(checked: Checked<T>): T {
  if (checked.ok) return checked.value;
  throw checked.violation;
}

/** `value` when every check accepts its input, else the first check's violation, in the order given. */
export function allAccepted<T>(value: T, ...checks: readonly Checked<unknown>[]): Checked<T> {
  const broken = checks.find((c) => !c.ok);
  return broken === undefined || broken.ok ? accepted(value) : broken;
}
