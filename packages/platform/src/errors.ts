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
export class AppError extends Error {
  override readonly name = "AppError";

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const invalid = (code: string, message: string): AppError => new AppError("invalid", code, message);
export const notFound = (code: string, message: string): AppError => new AppError("not_found", code, message);
export const conflict = (code: string, message: string): AppError => new AppError("conflict", code, message);
export const refused = (code: string, message: string): AppError => new AppError("refused", code, message);
