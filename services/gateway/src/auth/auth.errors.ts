import { AppError } from "@qc/platform/errors";

/** No valid bearer token (missing, malformed, badly signed or expired): HTTP 401. */
export const unauthenticated = (message: string): AppError => new AppError("invalid", "UNAUTHENTICATED", message);

/** A valid token whose role may not do this: HTTP 403. */
export const forbidden = (message: string): AppError => new AppError("refused", "FORBIDDEN", message);
