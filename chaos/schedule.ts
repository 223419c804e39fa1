import { intBetween, substream, type Random } from "./prng";

/**
 * The kinds of fault the runner injects:
 * - hang: SIGSTOP a service process for 1–8 s, then SIGCONT;
 * - kill: SIGKILL a service process, restart it after 0–2 s;
 * - net-delay: a link's proxy holds every chunk 100–2500 ms, for 1–8 s;
 * - net-drop: a link's proxy forwards calls but drops their answers, for 1–6 s;
 * - net-cut: a link's proxy cuts every open connection and refuses new ones, for 0.5–5 s;
 * - pg-terminate: pg_terminate_backend of every connection to the run's database;
 * - redis-restart: the run's redis-server is killed and started again after 0.5–3 s.
 */
export type FaultKind = "hang" | "kill" | "net-delay" | "net-drop" | "net-cut" | "pg-terminate" | "redis-restart";
export const FAULT_KINDS: readonly FaultKind[] = [
  "hang",
  "kill",
  "net-delay",
  "net-drop",
  "net-cut",
  "pg-terminate",
  "redis-restart",
];

/** What can be hit: service processes (by label), proxied links (`caller→callee`), and the servers, if any. */
export interface FaultTargets {
  /** What `kill` hits. */
  readonly processes: readonly string[];
  /** What `hang` hits (the processes unless said otherwise). */
  readonly hangable?: readonly string[];
  readonly links: readonly string[];
  /** The run's Postgres database (none in embedded mode). */
  readonly database: boolean;
  /** The run's own redis-server (none in embedded mode). */
  readonly redis: boolean;
}

export interface PlannedFault {
  readonly id: number;
  readonly kind: FaultKind;
  readonly target: string;
  /** When it starts, in ms after the fault phase began. */
  readonly atMs: number;
  /** How long it lasts (for kill and redis-restart: how long the target stays down before it is started again). */
  readonly durationMs: number;
  /** net-delay only: how long each chunk is held. */
  readonly delayMs?: number;
}

export interface ScheduleOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly targets: FaultTargets;
  /** Faults of each applicable kind per 300 s of run (scaled to the duration, at least one). */
  readonly perKindPer300s?: number;
  /** How long a killed process is counted busy after it is started again (its start-up), so no other fault is planned on it meanwhile. */
  readonly restartAllowanceMs?: number;
}

/**
 * Faults of each kind per 300 s by default: 54 of each in a full run (900 s), with room between them
 * for the platform to recover and take orders (at 64 per 300 s every critical service was hung, killed
 * or cut off most of the time, and a 300 s run put 40 orders through).
 */
export const DEFAULT_PER_KIND_PER_300S = 18;
/** Nothing starts in the first and last seconds of the fault phase: load is running before, and the phase ends cleanly. */
const MARGIN_MS = 1_000;
/** The gap kept between two faults on one target. */
const GAP_MS = 250;

const targetsOf = (kind: FaultKind, t: FaultTargets): readonly string[] => {
  switch (kind) {
    case "hang":
      return t.hangable ?? t.processes;
    case "kill":
      return t.processes;
    case "net-delay":
    case "net-drop":
    case "net-cut":
      return t.links;
    case "pg-terminate":
      return t.database ? ["postgres"] : [];
    case "redis-restart":
      return t.redis ? ["redis"] : [];
  }
};

/** The kinds that have something to hit with these targets (pg-terminate and redis-restart need servers). */
export const applicableKinds = (targets: FaultTargets): FaultKind[] =>
  FAULT_KINDS.filter((k) => targetsOf(k, targets).length > 0);

/** Duration (and delay) of one fault of `kind`, drawn from `random`. */
function shape(kind: FaultKind, random: Random): { durationMs: number; delayMs?: number } {
  switch (kind) {
    case "hang":
      return { durationMs: intBetween(random, 1_000, 8_000) };
    case "kill":
      return { durationMs: intBetween(random, 0, 2_000) };
    case "net-delay":
      return { durationMs: intBetween(random, 1_000, 8_000), delayMs: intBetween(random, 100, 2_500) };
    case "net-drop":
      return { durationMs: intBetween(random, 1_000, 6_000) };
    case "net-cut":
      return { durationMs: intBetween(random, 500, 5_000) };
    case "pg-terminate":
      return { durationMs: 0 };
    case "redis-restart":
      return { durationMs: intBetween(random, 500, 3_000) };
  }
}

/**
 * The fault schedule of a run: a pure function of its options, so a seed replays the same faults.
 * Each applicable kind gets its share spread over the phase (one fault in each of equal slots, at a
 * random point of it); then, in time order, each fault takes a random target among those that are
 * free then (hang and kill share the processes, the net kinds share the links), or waits for the
 * first to become free. Faults on different targets overlap freely.
 */
export function planFaults(options: ScheduleOptions): PlannedFault[] {
  const perKind = options.perKindPer300s ?? DEFAULT_PER_KIND_PER_300S;
  const restartAllowance = options.restartAllowanceMs ?? 8_000;
  const span = Math.max(1, options.durationMs - 2 * MARGIN_MS);
  const drafts: { kind: FaultKind; atMs: number; durationMs: number; delayMs?: number }[] = [];
  for (const [k, kind] of FAULT_KINDS.entries()) {
    if (targetsOf(kind, options.targets).length === 0) continue;
    const random = substream(options.seed, k);
    const count = Math.max(1, Math.round((perKind * options.durationMs) / 300_000));
    const slot = span / count;
    for (let i = 0; i < count; i++) {
      const atMs = Math.round(MARGIN_MS + i * slot + random() * slot);
      drafts.push({ kind, atMs, ...shape(kind, random) });
    }
  }
  drafts.sort((a, b) => a.atMs - b.atMs || FAULT_KINDS.indexOf(a.kind) - FAULT_KINDS.indexOf(b.kind));

  const pickTarget = substream(options.seed, FAULT_KINDS.length);
  const busyUntil = new Map<string, number>();
  const planned: PlannedFault[] = [];
  for (const draft of drafts) {
    const targets = targetsOf(draft.kind, options.targets);
    const free = targets.filter((t) => (busyUntil.get(t) ?? 0) <= draft.atMs);
    let atMs = draft.atMs;
    let target: string;
    if (free.length > 0) {
      target = free[Math.floor(pickTarget() * free.length)]!;
    } else {
      target = targets.reduce((a, b) => ((busyUntil.get(b) ?? 0) < (busyUntil.get(a) ?? 0) ? b : a));
      atMs = busyUntil.get(target) ?? atMs;
    }
    const busyFor = draft.durationMs + (draft.kind === "kill" ? restartAllowance : 0);
    busyUntil.set(target, atMs + busyFor + GAP_MS);
    planned.push({ id: 0, ...draft, atMs, target });
  }
  return planned.sort((a, b) => a.atMs - b.atMs).map((f, i) => ({ ...f, id: i + 1 }));
}

/** How many faults of each kind a schedule holds. */
export function countByKind(faults: readonly Pick<PlannedFault, "kind">[]): Record<FaultKind, number> {
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  for (const f of faults) counts[f.kind]++;
  return counts;
}
