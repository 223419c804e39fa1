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

export type Footprint = Record<string, number | null>;

/** Resident memory once the processes are idle: see `settleFootprint`. */
export interface SettledFootprint {
  /** When the wait began. */
  readonly beforeMiB: Footprint;
  /** When it ended: every process had given memory back and stopped falling, or the cap was reached. */
  readonly idleMiB: Footprint;
  /** Per process, the seconds into the wait of its last fall; null when it gave nothing back within the wait. */
  readonly fellAfterS: Record<string, number | null>;
  readonly waitedS: number;
}

/**
 * Waits for the processes' resident memory to fall back once they are idle, and reads it then. V8
 * keeps the heap it grew to (its young generation, old-generation pages) until its memory
 * reducer runs: after several seconds of a low allocation rate, judged over its last samples, which a
 * load phase fills, so after a load this takes one to two minutes (after the start, 15–30 s). The
 * reading right after a load is memory in use, not idle memory.
 *
 * Polls every `intervalMs`; a process has fallen once it is `minFallMiB` below where it began, and
 * falls further with every drop of more than 1 MiB. Ends when every process has fallen and none has
 * fallen further for `quietMs`, or at `capMs`: a process that never falls (still working, or nothing
 * to give back) holds the wait to the cap. The reducer may give memory back in steps some 8–20 s apart.
 */
export async function settleFootprint(
  sample: () => Footprint,
  options: {
    capMs: number;
    intervalMs?: number;
    quietMs?: number;
    minFallMiB?: number;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<SettledFootprint> {
  const { capMs, intervalMs = 2_000, quietMs = 20_000, minFallMiB = 5 } = options;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const start = now();
  const beforeMiB = sample();
  const lowest = new Map(Object.entries(beforeMiB));
  const fellAtMs = new Map<string, number>();
  let current = beforeMiB;
  const settled = (elapsed: number): boolean =>
    Object.entries(current).every(([name, mib]) => {
      if (mib === null) return true;
      const fell = fellAtMs.get(name);
      return fell !== undefined && elapsed - fell >= quietMs;
    });
  let elapsed = 0;
  while (elapsed < capMs && !settled(elapsed)) {
    await sleep(Math.min(intervalMs, capMs - elapsed));
    elapsed = now() - start;
    current = sample();
    for (const [name, mib] of Object.entries(current)) {
      const low = lowest.get(name);
      const began = beforeMiB[name];
      if (mib === null || low === null || low === undefined || began === null || began === undefined) continue;
      if (mib < low - 1) {
        lowest.set(name, mib);
        if (began - mib >= minFallMiB) fellAtMs.set(name, elapsed);
      }
    }
  }
  return {
    beforeMiB,
    idleMiB: current,
    fellAfterS: Object.fromEntries(
      Object.keys(beforeMiB).map((name) => {
        const fell = fellAtMs.get(name);
        return [name, fell === undefined ? null : Math.round(fell / 1000)];
      }),
    ),
    waitedS: Math.round(elapsed / 1000),
  };
}
