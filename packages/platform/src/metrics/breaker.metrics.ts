import type { BreakerRegistry, BreakerState } from "../resilience";
import type { Metrics } from "./metrics";

/** The gauge's encoding of a breaker state (as the dashboards expect). */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, "half-open": 1, open: 2 };
const STATES = Object.keys(BREAKER_STATE_VALUE) as BreakerState[];

/**
 * `circuit_breaker_state{caller, target}` (0 closed, 1 half-open, 2 open), read from the registry at
 * each scrape, and `circuit_breaker_transitions_total{caller, target, state}`, counted as the breakers
 * change state (every series starts at 0, so the first opening shows in `increase()`). A registry
 * without `onStateChange` (a test double) gets the gauge only.
 */
export function observeBreakers(
  metrics: Metrics,
  breakers: Pick<BreakerRegistry, "list"> & Partial<Pick<BreakerRegistry, "onStateChange">>,
): void {
  const transitions = metrics.counter({
    name: "circuit_breaker_transitions_total",
    help: "Circuit breaker state changes, by caller, target and the state entered.",
    labelNames: ["caller", "target", "state"],
    collect: () => {
      for (const { caller, target } of breakers.list())
        for (const state of STATES) transitions.inc({ caller, target, state }, 0);
    },
  });
  const gauge = metrics.gauge({
    name: "circuit_breaker_state",
    help: "Circuit breaker state per caller and target: 0 closed, 1 half-open, 2 open.",
    labelNames: ["caller", "target"],
    collect: () => {
      for (const { caller, target, state } of breakers.list())
        gauge.set({ caller, target }, BREAKER_STATE_VALUE[state]);
    },
  });
  breakers.onStateChange?.((t, state) => transitions.inc({ caller: t.caller, target: t.target, state }));
}
