import type { HistoryEntry } from "../api/types";
import { duration, time } from "../format";

/** An order's history, step by step, with the time each took since the one before. */
export function Timeline({ history, showDetail = false }: { history: readonly HistoryEntry[]; showDetail?: boolean }) {
  return (
    <ol className="timeline">
      {history.map((h, i) => {
        const prev = i > 0 ? history[i - 1] : undefined;
        return (
          <li key={`${h.at}-${i}`} className={`timeline-entry outcome-${h.outcome.replaceAll(/[^a-z-]/g, "")}`}>
            <time dateTime={h.at}>{time(h.at)}</time>
            <span className="timeline-step">
              {h.step} <span className="outcome">{h.outcome}</span>
            </span>
            <code className="code">{h.code}</code>
            <span className="timeline-message">{h.message}</span>
            {prev !== undefined && <span className="timeline-duration">+{duration(prev.at, h.at)}</span>}
            {showDetail && h.detail !== undefined && <span className="timeline-detail">{h.detail}</span>}
          </li>
        );
      })}
    </ol>
  );
}
