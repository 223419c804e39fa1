-- Every history entry carries a stable code of what happened (see src/domain/history.ts): customers
-- are shown a fixed sentence for it, while `detail` (ids, the raw error with addresses and sockets)
-- is for admins and logs only. Entries written before the column get the code the service writes
-- now: the error's own code for failures (their detail starts with it: "SERVICE_UNAVAILABLE: …",
-- "attempt 2 failed: SERVICE_UNAVAILABLE: …"), the failure reason for `saga:failed`, the event's
-- code otherwise. A replica older than this migration still inserts rows; they keep '' (the gateway
-- then names them by step and outcome).
ALTER TABLE order_history ADD COLUMN code text NOT NULL DEFAULT '';

UPDATE order_history SET code = CASE
  WHEN step = 'saga' AND outcome = 'failed' AND detail ~ '^[A-Z][A-Z0-9_]*$' THEN detail
  WHEN outcome IN ('refused', 'failed', 'dead-lettered', 'retry') THEN
    coalesce(substring(detail FROM '^(?:attempt [0-9]+ failed: )?([A-Z][A-Z0-9_]*): '), 'INTERNAL')
  ELSE CASE step || ':' || outcome
    WHEN 'order:created' THEN 'ORDER_CREATED'
    WHEN 'reserve-stock:done' THEN 'STOCK_RESERVED'
    WHEN 'charge-payment:done' THEN 'PAYMENT_CHARGED'
    WHEN 'refund-payment:done' THEN 'PAYMENT_REFUNDED'
    WHEN 'release-stock:done' THEN 'STOCK_RELEASED'
    WHEN 'saga:confirmed' THEN 'ORDER_CONFIRMED'
    WHEN 'saga:taken-over' THEN 'PROCESSING_RESUMED'
    WHEN 'saga:resumed' THEN 'PROCESSING_RESUMED'
    WHEN 'assign-rider:done' THEN 'RIDER_ASSIGNED'
    WHEN 'assign-rider:revoked' THEN 'RIDER_UNASSIGNED'
    WHEN 'delivery:done' THEN 'ORDER_DELIVERED'
    WHEN 'release-rider:done' THEN 'RIDER_RELEASED'
    ELSE upper(regexp_replace(step || '_' || outcome, '[^A-Za-z0-9]+', '_', 'g'))
  END
END
WHERE code = '';
