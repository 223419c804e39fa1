-- Orders, their lines and history, and the dead letters of compensations that could not run.
CREATE TABLE orders (
  id              uuid PRIMARY KEY,
  customer_id     text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'FAILED', 'DELIVERED')),
  -- Set when the saga decides to fail, before it compensates, so a replica that takes over after a
  -- crash finishes the compensation instead of driving the order forward again.
  failure_reason  text,
  total_cents     bigint      NOT NULL DEFAULT 0,
  currency        text        NOT NULL DEFAULT '',
  delivery_lat    double precision,
  delivery_lon    double precision,
  rider_id        text,
  idempotency_key text,
  request_hash    text,
  -- The replica driving the saga and until when; a PENDING order past its lease is taken over.
  lease_owner     text,
  lease_until     timestamptz,
  saga_attempts   integer     NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE UNIQUE INDEX orders_idempotency_key ON orders (customer_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC, id DESC);
CREATE INDEX orders_pending_lease ON orders (lease_until) WHERE status = 'PENDING';

CREATE TABLE order_lines (
  order_id    uuid   NOT NULL REFERENCES orders (id),
  line_no     integer NOT NULL,
  sku         text   NOT NULL,
  quantity    bigint NOT NULL CHECK (quantity > 0),
  price_cents bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE order_history (
  id       bigserial PRIMARY KEY,
  order_id uuid        NOT NULL REFERENCES orders (id),
  step     text        NOT NULL,
  outcome  text        NOT NULL,
  detail   text        NOT NULL DEFAULT '',
  at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX order_history_by_order ON order_history (order_id, id);

CREATE TABLE dead_letters (
  id              uuid PRIMARY KEY,
  order_id        uuid        NOT NULL REFERENCES orders (id),
  step            text        NOT NULL,
  error           text        NOT NULL,
  attempts        integer     NOT NULL,
  status          text        NOT NULL CHECK (status IN ('open', 'resolved')),
  next_attempt_at timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  resolved_at     timestamptz,
  UNIQUE (order_id, step)
);
CREATE INDEX dead_letters_due ON dead_letters (next_attempt_at) WHERE status = 'open';
