-- The per-order stock reservation ledger. One row per order id ever seen by DeductStock or AddStock:
-- 'reserved' holds the lines it deducted; 'released' means the stock went back (or, with no lines,
-- that AddStock came first and left a tombstone so a late DeductStock for that order is refused).
CREATE TABLE reservations (
  order_id    TEXT PRIMARY KEY,
  status      TEXT NOT NULL CHECK (status IN ('reserved', 'released')),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  released_at TIMESTAMPTZ,
  CHECK ((status = 'released') = (released_at IS NOT NULL))
);

-- What an order deducted, with the unit price captured at deduction so a repeat returns the same answer.
CREATE TABLE reservation_lines (
  order_id         TEXT NOT NULL REFERENCES reservations (order_id),
  sku              TEXT COLLATE "C" NOT NULL REFERENCES products (sku),
  quantity         BIGINT NOT NULL CHECK (quantity > 0),
  unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents >= 0),
  currency         TEXT NOT NULL,
  PRIMARY KEY (order_id, sku)
);
