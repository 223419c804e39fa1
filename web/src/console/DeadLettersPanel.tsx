import { useState } from "react";
import { ApiError, apiFor } from "../api/client";
import { useConfirm } from "../components/ConfirmDialog";
import { ErrorNotice } from "../components/Notice";
import { dateTime, shortId } from "../format";
import { useInterval, useResource } from "../hooks";
import { describeError } from "../messages";
import { Link } from "../router";
import type { Session } from "../session";

/** Compensations that could not run, replayed by hand (after a confirmation: they move money or stock). */
export function DeadLettersPanel({ session }: { session: Session }) {
  const api = apiFor(session.token);
  const letters = useResource(() => api.deadLetters(), [session.token]);
  useInterval(letters.reload, 5_000);
  const [outcome, setOutcome] = useState<{ id: string; ok: boolean; text: string } | null>(null);
  const { confirm, dialog } = useConfirm();

  const replay = async (id: string, step: string, orderId: string) => {
    const ok = await confirm(
      "Replay this compensation?",
      <p>{`${step} for order ${orderId} runs again: it may move stock or money back.`}</p>,
      "Replay",
    );
    if (!ok) return;
    try {
      const { deadLetter } = await api.replayDeadLetter(id);
      setOutcome({ id, ok: true, text: `Replayed: ${deadLetter.step} is ${deadLetter.status}.` });
    } catch (err) {
      const still = err instanceof ApiError && err.status === 409;
      setOutcome({
        id,
        ok: false,
        text: still ? "Still failing: the compensation could not run; it stays a dead letter." : describeError(err),
      });
    }
    letters.reload();
  };

  return (
    <section id="dead-letters" className="panel" aria-labelledby="dl-title">
      <h2 id="dl-title">Dead letters</h2>
      <ErrorNotice error={letters.error} />
      {outcome !== null && (
        <p className={`notice${outcome.ok ? "" : " notice-error"}`} role="status">
          {outcome.text}
        </p>
      )}
      {letters.data?.items.length === 0 && <p className="muted">None open: every compensation ran.</p>}
      {letters.data !== null && letters.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Step</th>
              <th scope="col">Attempts</th>
              <th scope="col">Status</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {letters.data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <Link to={`/orders/${encodeURIComponent(d.orderId)}`}>{shortId(d.orderId)}</Link>
                </td>
                <td title={d.error}>{d.step}</td>
                <td>{d.attempts}</td>
                <td>{d.status}</td>
                <td>{dateTime(d.createdAt)}</td>
                <td>
                  <button type="button" className="small" onClick={() => void replay(d.id, d.step, d.orderId)}>
                    Replay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog}
    </section>
  );
}
