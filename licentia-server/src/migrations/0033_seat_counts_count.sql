-- The seat counters of migration 0033 counted from the rows stored (by
-- the migration, and by `licentia scale-data` after its bulk inserts),
-- into an empty table.
INSERT INTO seat_counts (customer_id, product_id, used)
SELECT s.customer_id, s.product_id, SUM(s.held) FROM license_seats s
GROUP BY s.customer_id, s.product_id HAVING SUM(s.held) <> 0;
