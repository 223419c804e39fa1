import { AppError } from "@qc/platform/errors";
import type { Checked, Violation } from "../domain/rider.errors";

/** The platform error for a broken domain rule; its kind decides the gRPC status at the edge. */
export const toAppError = (violation: Violation): AppError => new AppError(violation.kind, violation.code, violation.message);

export function valueOrThrow<T>(checked: Checked<T>): T {
  if (checked.ok) return checked.value;
  throw toAppError(checked.violation);
}
