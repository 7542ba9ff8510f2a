-- Seats in use per customer node and product, kept by triggers (issue
-- 17) so the seats report, the customer tree and the allocation checks
-- read one row per node instead of every member and activation. Leases
-- are not in it: a lease lapses by the clock, with no write to count it
-- out; the few live ones are counted when read (index `leases_live`).

CREATE TABLE seat_counts (
    customer_id TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    used        BIGINT NOT NULL,
    PRIMARY KEY (customer_id, product_id)
);

-- The seats each licence naming a node holds there, leases aside: its
-- member's service holds one until the licence is revoked (however many
-- machines use it); any other licence one per active activation. The
-- triggers count a licence out before a write that may change this, and
-- in again after it.
CREATE VIEW license_seats AS
SELECT l.id, l.customer_id, l.product_id,
       CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.license_id = l.id)
            THEN CASE WHEN l.status <> 'revoked' THEN 1 ELSE 0 END
            ELSE (SELECT COUNT(*) FROM activations v
                  WHERE v.license_id = l.id AND v.deactivated_at IS NULL)
       END AS held
FROM licenses l WHERE l.customer_id IS NOT NULL;

-- Leases not returned, by end: the live ones are a short range of it.
CREATE INDEX leases_live ON leases (expires_at) WHERE returned_at IS NULL;
