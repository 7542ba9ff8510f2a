-- The counter of migration 0037 counted from the licences stored (by the
-- migration, and by `licentia scale-data` after its bulk inserts), into an
-- empty table.
INSERT INTO expiry_days (customer_id, day, policy_id, licenses)
SELECT l.node, l.day, l.policy_id, COUNT(*)
FROM (SELECT customer_id AS node, expires_at / 86400 AS day, policy_id FROM licenses
          WHERE customer_id IS NOT NULL AND status <> 'revoked' AND expires_at IS NOT NULL
      UNION ALL
      SELECT '*', expires_at / 86400, policy_id FROM licenses
          WHERE status <> 'revoked' AND expires_at IS NOT NULL) l
GROUP BY l.node, l.day, l.policy_id;
