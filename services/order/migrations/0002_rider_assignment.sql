-- Confirmed orders still waiting for a rider, oldest first, for the background dispatcher.
CREATE INDEX orders_awaiting_rider ON orders (updated_at) WHERE status = 'CONFIRMED' AND rider_id IS NULL;
