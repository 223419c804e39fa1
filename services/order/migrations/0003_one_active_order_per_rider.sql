-- One rider carries at most one active (CONFIRMED) order. The rider service keeps riders busy, but it
-- can forget them (in process memory it does on every restart; an emptied Redis too) and then offer
-- a rider who is still delivering; this index makes the order service refuse that assignment,
-- whatever the rider service remembers.
--
-- Orders assigned before the guard may break it (that very bug): of each rider's CONFIRMED orders
-- the one assigned first keeps them (an assigned CONFIRMED order is last updated by its assignment);
-- the others lose the rider, with a history entry, and wait for the dispatcher like any new order.
WITH ranked AS (
  SELECT id, rider_id, row_number() OVER (PARTITION BY rider_id ORDER BY updated_at, id) AS n
    FROM orders
   WHERE status = 'CONFIRMED' AND rider_id IS NOT NULL
), revoked AS (
  UPDATE orders o SET rider_id = NULL, updated_at = clock_timestamp()
    FROM ranked r
   WHERE o.id = r.id AND r.n > 1
  RETURNING o.id, r.rider_id
)
INSERT INTO order_history (order_id, step, outcome, detail)
SELECT id, 'assign-rider', 'revoked', 'rider ' || rider_id || ' already carried another active order' FROM revoked;

CREATE UNIQUE INDEX orders_one_active_per_rider ON orders (rider_id) WHERE status = 'CONFIRMED' AND rider_id IS NOT NULL;
