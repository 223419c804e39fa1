import { useState, type FormEvent } from "react";
import { apiFor } from "../api/client";
import type { Wallet } from "../api/types";
import { useConfirm } from "../components/ConfirmDialog";
import { money } from "../format";
import { describeError } from "../messages";
import type { Session } from "../session";

/** Credit a customer's balance in one currency (USD unless chosen), after a confirmation. */
export function WalletsPanel({ session }: { session: Session }) {
  const api = apiFor(session.token);
  const [customer, setCustomer] = useState("");
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("USD");
  const [result, setResult] = useState<{ ok: true; wallet: Wallet } | { ok: false; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const { confirm, dialog } = useConfirm();
  const cents = Math.round(Number(amount) * 100);
  const valid =
    customer.trim() !== "" &&
    amount.trim() !== "" &&
    Number.isFinite(cents) &&
    cents >= 1 &&
    /^[A-Z]{3}$/.test(currency);

  const credit = async (e: FormEvent) => {
    e.preventDefault();
    const who = customer.trim();
    if (
      !(await confirm(
        "Credit this wallet?",
        <p>{`Add ${money(cents, currency)} to ${who}'s ${currency} balance.`}</p>,
        "Credit",
      ))
    )
      return;
    setBusy(true);
    try {
      setResult({ ok: true, wallet: await api.credit(who, cents, currency) });
      setAmount("");
    } catch (err) {
      setResult({ ok: false, text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section id="wallets" className="panel" aria-labelledby="wallets-title">
      <h2 id="wallets-title">Wallets</h2>
      <form className="inline-form" onSubmit={(e) => void credit(e)}>
        <label>
          Customer <input value={customer} onChange={(e) => setCustomer(e.target.value)} placeholder="bob" />
        </label>
        <label>
          Amount{" "}
          <input
            inputMode="decimal"
            className="narrow"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            placeholder="10.00"
          />
        </label>
        <label>
          Currency
          <select value={currency} onChange={(e) => setCurrency(e.target.value)}>
            {["USD", "EUR", "GBP"].map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || !valid}>
          Credit
        </button>
      </form>
      {result !== null &&
        (result.ok ? (
          <p className="notice" role="status">
            {result.wallet.customerId} now holds {money(result.wallet.balanceCents, result.wallet.currency)} in{" "}
            {result.wallet.currency}.
          </p>
        ) : (
          <p className="notice notice-error" role="alert">
            {result.text}
          </p>
        ))}
      {dialog}
    </section>
  );
}
