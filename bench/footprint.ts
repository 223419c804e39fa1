import { readFileSync } from "node:fs";
import type { Stack } from "@qc/devstack";

/** A process's resident memory in MiB (VmRSS of /proc/<pid>/status), or null where there is no /proc or no such process. */
export function rssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** Resident memory of every service process of the stack (order replicas by their labels). */
export function stackFootprint(stack: Stack): Record<string, number | null> {
  const processes = [...Object.values(stack.services).filter((s) => s.name !== "order"), ...stack.orderReplicas];
  return Object.fromEntries(processes.map((s) => [s.label, rssMiB(s.pid)]));
}

export const formatFootprint = (f: Record<string, number | null>): string =>
  Object.entries(f)
    .map(([name, mib]) => `${name} ${mib ?? "?"} MiB`)
    .join(", ");
