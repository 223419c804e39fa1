-- Tells listeners (every replica's WatchOrder streams) that an order changed. Every change of an
-- order's status or rider is written with a history entry in the same statement, so a trigger on
-- history alone sees them all. NOTIFY is delivered when the transaction commits, and once per order
-- however many entries the transaction wrote (Postgres folds identical notifications).
CREATE FUNCTION notify_order_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('order_changed', NEW.order_id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER order_history_notify AFTER INSERT ON order_history
  FOR EACH ROW EXECUTE FUNCTION notify_order_changed();
