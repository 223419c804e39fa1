import { AppError } from "../errors";

/** The AppError a call rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejectionOf(call: Promise<unknown>): Promise<AppError> {
  const err: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}
