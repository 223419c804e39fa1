/**
 * How a cost grows with its input, from measured points: the log-log slope of each step (1 means
 * linear: ten times the input costs ten times as much; 0 flat; 2 quadratic). A step whose slope is
 * above 1 by more than the noise tolerance grows worse than linearly and is flagged.
 */
export interface GrowthPoint {
  readonly x: number;
  readonly y: number;
}

export interface GrowthStep {
  readonly from: number;
  readonly to: number;
  /** log(y2 / y1) / log(x2 / x1); null when a value is not positive (no slope to take). */
  readonly exponent: number | null;
  readonly worseThanLinear: boolean;
}

/** Slopes above 1 + this are flagged: on a busy 2-core machine one measurement moves by ±15 % or so. */
export const DEFAULT_TOLERANCE = 0.25;

export function growthSteps(points: readonly GrowthPoint[], tolerance = DEFAULT_TOLERANCE): GrowthStep[] {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  const steps: GrowthStep[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.x === b.x) continue;
    const exponent = a.x > 0 && b.x > 0 && a.y > 0 && b.y > 0 ? Math.log(b.y / a.y) / Math.log(b.x / a.x) : null;
    steps.push({
      from: a.x,
      to: b.x,
      exponent: exponent === null ? null : Math.round(exponent * 100) / 100,
      worseThanLinear: exponent !== null && exponent > 1 + tolerance,
    });
  }
  return steps;
}

/** One cost checked along one input: e.g. "p99 ms" against "clients". */
export interface GrowthCheck {
  readonly input: string;
  readonly cost: string;
  readonly steps: GrowthStep[];
}

export function growthCheck(
  input: string,
  cost: string,
  points: readonly GrowthPoint[],
  tolerance = DEFAULT_TOLERANCE,
): GrowthCheck {
  return { input, cost, steps: growthSteps(points, tolerance) };
}

/** One line per flagged step, e.g. "p99 ms against clients: 8 → 32 grows with exponent 1.6". */
export function worseThanLinear(checks: readonly GrowthCheck[]): string[] {
  return checks.flatMap((c) =>
    c.steps
      .filter((s) => s.worseThanLinear)
      .map((s) => `${c.cost} against ${c.input}: ${s.from} → ${s.to} grows with exponent ${String(s.exponent)}`),
  );
}
