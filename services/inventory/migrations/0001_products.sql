-- Products and their stock on hand. Money in integer cents and stock in integer units (BIGINT).
-- sku uses the "C" collation so ORDER BY sku and keyset paging (sku > $after) agree byte for byte,
-- whatever the database's default locale.
CREATE TABLE products (
  sku         TEXT COLLATE "C" PRIMARY KEY,
  name        TEXT NOT NULL,
  price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
  currency    TEXT NOT NULL,
  stock       BIGINT NOT NULL CHECK (stock >= 0),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
