import type { Logger } from "@qc/platform/log";
import type { Metrics } from "@qc/platform/observability";
import type { DeadLetterRepository } from "../../app/dead-letter.repository.port";

/**
 * `dead_letters_open`: compensations waiting for reconciliation, counted in the table at each scrape
 * (the same count from every replica; dashboards take the max). While the database cannot answer,
 * the last count stays and a warning says why.
 */
export function observeDeadLetters(
  metrics: Metrics,
  repo: Pick<DeadLetterRepository, "countOpen">,
  logger: Logger,
): void {
  const open = metrics.gauge({
    name: "dead_letters_open",
    help: "Dead letters (compensations that failed every retry) not resolved yet.",
    collect: async () => {
      try {
        open.set(await repo.countOpen());
      } catch (err) {
        logger.warn({ err }, "could not count open dead letters");
      }
    },
  });
}
