import { AppError } from "@qc/platform/errors";

/** A message field proto3 leaves optional but the contract always fills; its absence is an upstream bug. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new AppError("internal", "INTERNAL", `upstream answered without ${what}`);
  return value;
}
