-- The counters of migration 0045 counted from the licences and
-- subscriptions stored (by the migration, and by `licentia scale-data`
-- after its bulk inserts), into empty tables.
INSERT INTO expiry_holders (day, name, customer_id, licenses)
SELECT l.expires_at / 86400, c.name, l.customer_id, COUNT(*)
FROM licenses l JOIN customers c ON c.id = l.customer_id
WHERE l.status <> 'revoked' AND l.expires_at IS NOT NULL
GROUP BY l.expires_at / 86400, c.name, l.customer_id;
INSERT INTO subscription_end_holders (day, name, customer_id, subscriptions)
SELECT COALESCE(s.ends_on, s.term_end), c.name, s.customer_id, COUNT(*)
FROM subscriptions s JOIN customers c ON c.id = s.customer_id
WHERE s.status <> 'ended'
GROUP BY COALESCE(s.ends_on, s.term_end), c.name, s.customer_id;
