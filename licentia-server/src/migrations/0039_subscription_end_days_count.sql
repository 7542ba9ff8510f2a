-- The counter of migration 0039 counted from the subscriptions stored (by
-- the migration, and by `licentia scale-data` after its bulk inserts),
-- into an empty table.
INSERT INTO subscription_end_days (customer_id, day, plan_id, subscriptions)
SELECT s.node, s.day, s.plan_id, COUNT(*)
FROM (SELECT customer_id AS node, COALESCE(ends_on, term_end) AS day, plan_id FROM subscriptions
          WHERE status <> 'ended'
      UNION ALL
      SELECT '*', COALESCE(ends_on, term_end), plan_id FROM subscriptions
          WHERE status <> 'ended') s
GROUP BY s.node, s.day, s.plan_id;
