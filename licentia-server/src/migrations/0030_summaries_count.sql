
-- The counters of migration 0030 counted from the rows stored (by the
-- migration, and by `licentia scale-data` after its bulk inserts, which
-- it makes with the counting triggers off): each licence's first use,
-- then each counter, into empty tables.

UPDATE licenses SET first_used_at = (
    SELECT MIN(firsts.at) FROM (
        SELECT MIN(a.created_at) AS at FROM activations a WHERE a.license_id = licenses.id
        UNION ALL
        SELECT MIN(e.created_at) AS at FROM leases e WHERE e.license_id = licenses.id
    ) AS firsts)
WHERE EXISTS (SELECT 1 FROM activations a WHERE a.license_id = licenses.id)
   OR EXISTS (SELECT 1 FROM leases e WHERE e.license_id = licenses.id);

-- Each row counted twice: at its node, and under '*'.
INSERT INTO license_counts (customer_id, product_id, policy_id, licenses, active, seats, seats_used)
SELECT l.node, l.product_id, l.policy_id, COUNT(*),
       SUM(CASE WHEN l.status = 'active' THEN 1 ELSE 0 END), SUM(l.seats), SUM(l.seats_used)
FROM (SELECT customer_id AS node, product_id, policy_id, status, seats, seats_used
          FROM licenses WHERE customer_id IS NOT NULL
      UNION ALL
      SELECT '*', product_id, policy_id, status, seats, seats_used FROM licenses) l
GROUP BY l.node, l.product_id, l.policy_id;

INSERT INTO platform_counts (customer_id, platform, total, active, licenses)
SELECT a.node, a.platform, COUNT(*),
       SUM(CASE WHEN a.deactivated_at IS NULL THEN 1 ELSE 0 END), COUNT(DISTINCT a.license_id)
FROM (SELECT l.customer_id AS node, v.platform, v.deactivated_at, v.license_id
          FROM activations v JOIN licenses l ON l.id = v.license_id
          WHERE l.customer_id IS NOT NULL
      UNION ALL
      SELECT '*', platform, deactivated_at, license_id FROM activations) a
GROUP BY a.node, a.platform;

INSERT INTO first_use_days (customer_id, product_id, policy_id, days, licenses)
SELECT u.node, u.product_id, u.policy_id, u.days, COUNT(*)
FROM (SELECT l.node, l.product_id, l.policy_id,
          CASE WHEN l.first_used_at IS NULL THEN -1
               WHEN l.first_used_at <= l.issued_at THEN 0
               ELSE (l.first_used_at - l.issued_at) / 86400 END AS days
      FROM (SELECT customer_id AS node, product_id, policy_id, issued_at, first_used_at
                FROM licenses WHERE customer_id IS NOT NULL
            UNION ALL
            SELECT '*', product_id, policy_id, issued_at, first_used_at FROM licenses) l) u
GROUP BY u.node, u.product_id, u.policy_id, u.days;

INSERT INTO issue_days (customer_id, day, licenses)
SELECT l.node, l.day, COUNT(*)
FROM (SELECT customer_id AS node, issued_at / 86400 AS day FROM licenses WHERE customer_id IS NOT NULL
      UNION ALL
      SELECT '*', issued_at / 86400 FROM licenses) l
GROUP BY l.node, l.day;
