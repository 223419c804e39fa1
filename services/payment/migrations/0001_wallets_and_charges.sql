-- Payment ledger. Tables live in the `payment` schema (the connection's search_path).
-- Money is integer cents in one currency.

CREATE TABLE wallets (
  customer_id   TEXT PRIMARY KEY,
  -- The conditional debit never takes a balance below zero; the CHECK is the last line of defence.
  balance_cents BIGINT NOT NULL CHECK (balance_cents >= 0),
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per order id, ever: the primary key is what makes Charge and Refund idempotent and
-- serializes concurrent calls for the same order.
CREATE TABLE charges (
  order_id     TEXT PRIMARY KEY,
  customer_id  TEXT,
  amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
  status       TEXT NOT NULL CHECK (status IN ('charged', 'declined', 'refunded', 'voided')),
  charge_id    UUID UNIQUE,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- A voided row is a tombstone left by a refund that came before any charge: no customer, no money.
  CHECK ((status = 'voided') = (customer_id IS NULL)),
  CHECK (status <> 'voided' OR amount_cents = 0),
  -- Only a charge that took money has a charge id.
  CHECK ((status IN ('charged', 'refunded')) = (charge_id IS NOT NULL))
);

-- Append-only movements, so an audit can prove: credits = balances + charges - refunds.
CREATE TABLE wallet_entries (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id  TEXT NOT NULL REFERENCES wallets (customer_id),
  kind         TEXT NOT NULL CHECK (kind IN ('credit', 'charge', 'refund')),
  amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
  order_id     TEXT REFERENCES charges (order_id),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK ((kind = 'credit') = (order_id IS NULL))
);

CREATE INDEX wallet_entries_customer_idx ON wallet_entries (customer_id);

CREATE FUNCTION wallet_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'wallet_entries is append-only';
END
$$;

CREATE TRIGGER wallet_entries_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON wallet_entries
  FOR EACH STATEMENT EXECUTE FUNCTION wallet_entries_append_only();
