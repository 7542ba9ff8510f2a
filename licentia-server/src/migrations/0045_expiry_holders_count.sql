-- The counter of migration 0045 counted from the licences stored (by the
-- migration, and by `licentia scale-data` after its bulk inserts), into an
-- empty table.
INSERT INTO expiry_holders (day, name, customer_id, licenses)
SELECT l.expires_at / 86400, c.name, l.customer_id, COUNT(*)
FROM licenses l JOIN customers c ON c.id = l.customer_id
WHERE l.status <> 'revoked' AND l.expires_at IS NOT NULL
GROUP BY l.expires_at / 86400, c.name, l.customer_id;
