-- Every customer's orders newest first (the admin listing, SearchOrders): the same order and
-- tie-break as a customer's own listing (orders_by_customer), without the customer.
CREATE INDEX orders_newest ON orders (created_at DESC, id DESC);
