-- A wallet holds one balance per currency: a USD order is paid from USD credit only, never from EUR.
-- Before this migration a wallet was one number in an unnamed currency; it becomes the customer's
-- USD balance (the default currency of a credit or charge that names none), and every ledger entry
-- and charge so far is in USD with it. The currency's format (ISO 4217) is checked by the service.

-- The ledger's reference to its wallet must widen with the wallet's key.
ALTER TABLE wallet_entries DROP CONSTRAINT wallet_entries_customer_id_fkey;

ALTER TABLE wallets ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
-- Only the existing rows take the default: a new balance always names its currency.
ALTER TABLE wallets ALTER COLUMN currency DROP DEFAULT;
ALTER TABLE wallets DROP CONSTRAINT wallets_pkey;
ALTER TABLE wallets ADD PRIMARY KEY (customer_id, currency);

-- Adding a column rewrites no row, so the append-only trigger (UPDATE/DELETE) is not involved.
ALTER TABLE wallet_entries ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
ALTER TABLE wallet_entries ALTER COLUMN currency DROP DEFAULT;
ALTER TABLE wallet_entries ADD FOREIGN KEY (customer_id, currency) REFERENCES wallets (customer_id, currency);
DROP INDEX wallet_entries_customer_idx;
CREATE INDEX wallet_entries_wallet_idx ON wallet_entries (customer_id, currency);

-- The balance a charge was taken from, and a refund returns to. Like the customer, a voided
-- tombstone (a refund that came before any charge) has none.
ALTER TABLE charges ADD COLUMN currency TEXT;
UPDATE charges SET currency = 'USD' WHERE status <> 'voided';
ALTER TABLE charges ADD CONSTRAINT charges_currency_check CHECK ((status = 'voided') = (currency IS NULL));
