-- A first DeductStock in one statement, so one round trip and one transaction: the steps the service
-- took in five (BEGIN, claim the order, lock its products, deduct and record the lines, COMMIT), in the
-- same order, so it takes its locks as AddStock does (the order's ledger entry, then its products in
-- sku order) and concurrent calls cannot deadlock.
--
-- The service keeps the decisions: this only checks whether the deduction may go ahead, by the rules
-- of its planDeduction (every sku exists, every line is covered, one currency), and answers the
-- products as it locked them, from which the service plans the lines (prices captured) or the refusal.
--
-- Answers one JSON object:
--   {"existing": {"status": …, "lines": [{sku, quantity, unitPriceCents, currency}, …]}}  the order was in the ledger: nothing changed
--   {"refused": [product, …]}   a line cannot be deducted: nothing changed (the claim is taken back)
--   {"deducted": [product, …]}  stock taken and the lines recorded at these products' prices
-- where a product is {sku, name, priceCents, currency, stock} before the deduction, in sku order.
-- p_skus are distinct (the service merges repeated skus).
CREATE FUNCTION deduct_stock(p_order_id TEXT, p_skus TEXT[], p_quantities BIGINT[]) RETURNS JSON
LANGUAGE plpgsql AS $$
DECLARE
  claimed TEXT;
  locked JSON;
  n_found INT;
  n_short INT;
  n_currencies INT;
  n_recorded INT;
BEGIN
  -- ON CONFLICT waits for a concurrent, uncommitted claim of the same order to commit or roll back,
  -- which is what serialises calls for one order id.
  INSERT INTO reservations (order_id, status) VALUES (p_order_id, 'reserved')
  ON CONFLICT (order_id) DO NOTHING
  RETURNING order_id INTO claimed;
  IF claimed IS NULL THEN
    -- Each statement of a function sees what committed before it started: the claim we waited for.
    RETURN (
      SELECT json_build_object('existing', json_build_object(
        'status', r.status,
        'lines', COALESCE((
          SELECT json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity, 'unitPriceCents', l.unit_price_cents, 'currency', l.currency) ORDER BY l.sku)
          FROM reservation_lines l WHERE l.order_id = p_order_id), '[]'::json)))
      FROM reservations r WHERE r.order_id = p_order_id FOR UPDATE
    );
  END IF;

  -- Locked in sku order, the one fixed order that keeps multi-line deductions from deadlocking.
  PERFORM 1 FROM products WHERE sku = ANY (p_skus) ORDER BY sku FOR UPDATE;
  SELECT count(*), count(*) FILTER (WHERE p.stock < w.quantity), count(DISTINCT p.currency),
         json_agg(json_build_object('sku', p.sku, 'name', p.name, 'priceCents', p.price_cents, 'currency', p.currency, 'stock', p.stock) ORDER BY p.sku)
  INTO n_found, n_short, n_currencies, locked
  FROM unnest(p_skus, p_quantities) AS w (sku, quantity) JOIN products p ON p.sku = w.sku;

  IF n_found < cardinality(p_skus) OR n_short > 0 OR n_currencies > 1 THEN
    -- Nothing is taken, and the claim goes as a rollback would take it: the order id stays free.
    DELETE FROM reservations WHERE order_id = p_order_id;
    RETURN json_build_object('refused', COALESCE(locked, '[]'::json));
  END IF;

  WITH taken AS (
    UPDATE products p SET stock = p.stock - w.quantity, updated_at = now()
    FROM unnest(p_skus, p_quantities) AS w (sku, quantity)
    WHERE p.sku = w.sku AND p.stock >= w.quantity
    RETURNING p.sku, w.quantity, p.price_cents, p.currency
  )
  INSERT INTO reservation_lines (order_id, sku, quantity, unit_price_cents, currency)
  SELECT p_order_id, sku, quantity, price_cents, currency FROM taken;
  GET DIAGNOSTICS n_recorded = ROW_COUNT;
  -- The rows are locked and were checked; a shortfall here is a bug, and the exception rolls back all.
  IF n_recorded <> cardinality(p_skus) THEN
    RAISE EXCEPTION 'deduction for order % covered % of % lines', p_order_id, n_recorded, cardinality(p_skus);
  END IF;
  RETURN json_build_object('deducted', locked);
END
$$;
