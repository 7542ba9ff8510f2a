
-- The counters follow every write inside the writing statement: each
-- changed row is taken out as it was (OLD) and counted in as it is (NEW),
-- at its node and under '*' (licences and activations are never deleted).
-- (An upsert from a SELECT needs its WHERE for
-- SQLite to read ON CONFLICT as the upsert's.)

CREATE TRIGGER licenses_counted AFTER INSERT ON licenses BEGIN
    INSERT INTO license_counts (customer_id, product_id, policy_id, licenses, active, seats, seats_used)
    SELECT n.node, NEW.product_id, NEW.policy_id, 1, NEW.status = 'active', NEW.seats, NEW.seats_used
    FROM (SELECT '*' AS node UNION ALL SELECT NEW.customer_id WHERE NEW.customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, product_id, policy_id) DO UPDATE SET
        licenses = licenses + excluded.licenses, active = active + excluded.active,
        seats = seats + excluded.seats, seats_used = seats_used + excluded.seats_used;
    INSERT INTO first_use_days (customer_id, product_id, policy_id, days, licenses)
    SELECT n.node, NEW.product_id, NEW.policy_id,
        CASE WHEN NEW.first_used_at IS NULL THEN -1
             WHEN NEW.first_used_at <= NEW.issued_at THEN 0
             ELSE (NEW.first_used_at - NEW.issued_at) / 86400 END, 1
    FROM (SELECT '*' AS node UNION ALL SELECT NEW.customer_id WHERE NEW.customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, product_id, policy_id, days) DO UPDATE SET
        licenses = licenses + excluded.licenses;
    INSERT INTO issue_days (customer_id, day, licenses)
    SELECT n.node, NEW.issued_at / 86400, 1
    FROM (SELECT '*' AS node UNION ALL SELECT NEW.customer_id WHERE NEW.customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, day) DO UPDATE SET licenses = licenses + excluded.licenses;
END;

CREATE TRIGGER licenses_recounted AFTER UPDATE OF customer_id, product_id, policy_id, status,
    seats, seats_used, issued_at, first_used_at ON licenses BEGIN
    INSERT INTO license_counts (customer_id, product_id, policy_id, licenses, active, seats, seats_used)
    SELECT n.node, n.product_id, n.policy_id, n.sign, n.sign * (n.status = 'active'),
        n.sign * n.seats, n.sign * n.seats_used
    FROM (SELECT '*' AS node, -1 AS sign, OLD.product_id AS product_id, OLD.policy_id AS policy_id,
              OLD.status AS status, OLD.seats AS seats, OLD.seats_used AS seats_used
          UNION ALL SELECT OLD.customer_id, -1, OLD.product_id, OLD.policy_id, OLD.status,
              OLD.seats, OLD.seats_used WHERE OLD.customer_id IS NOT NULL
          UNION ALL SELECT '*', 1, NEW.product_id, NEW.policy_id, NEW.status, NEW.seats,
              NEW.seats_used
          UNION ALL SELECT NEW.customer_id, 1, NEW.product_id, NEW.policy_id, NEW.status,
              NEW.seats, NEW.seats_used WHERE NEW.customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, product_id, policy_id) DO UPDATE SET
        licenses = licenses + excluded.licenses, active = active + excluded.active,
        seats = seats + excluded.seats, seats_used = seats_used + excluded.seats_used;
    INSERT INTO first_use_days (customer_id, product_id, policy_id, days, licenses)
    SELECT n.node, n.product_id, n.policy_id,
        CASE WHEN n.first_used_at IS NULL THEN -1
             WHEN n.first_used_at <= n.issued_at THEN 0
             ELSE (n.first_used_at - n.issued_at) / 86400 END, n.sign
    FROM (SELECT '*' AS node, -1 AS sign, OLD.product_id AS product_id, OLD.policy_id AS policy_id,
              OLD.issued_at AS issued_at, OLD.first_used_at AS first_used_at
          UNION ALL SELECT OLD.customer_id, -1, OLD.product_id, OLD.policy_id, OLD.issued_at,
              OLD.first_used_at WHERE OLD.customer_id IS NOT NULL
          UNION ALL SELECT '*', 1, NEW.product_id, NEW.policy_id, NEW.issued_at, NEW.first_used_at
          UNION ALL SELECT NEW.customer_id, 1, NEW.product_id, NEW.policy_id, NEW.issued_at,
              NEW.first_used_at WHERE NEW.customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, product_id, policy_id, days) DO UPDATE SET
        licenses = licenses + excluded.licenses;
    INSERT INTO issue_days (customer_id, day, licenses)
    SELECT n.node, n.day, n.sign
    FROM (SELECT '*' AS node, -1 AS sign, OLD.issued_at / 86400 AS day
          UNION ALL SELECT OLD.customer_id, -1, OLD.issued_at / 86400
              WHERE OLD.customer_id IS NOT NULL
          UNION ALL SELECT '*', 1, NEW.issued_at / 86400
          UNION ALL SELECT NEW.customer_id, 1, NEW.issued_at / 86400
              WHERE NEW.customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, day) DO UPDATE SET licenses = licenses + excluded.licenses;
END;

-- An activation counts at its licence's node; the licence's first one on
-- a platform counts the licence there.
CREATE TRIGGER activations_counted AFTER INSERT ON activations BEGIN
    INSERT INTO platform_counts (customer_id, platform, total, active, licenses)
    SELECT n.node, NEW.platform, 1, NEW.deactivated_at IS NULL,
        NOT EXISTS (SELECT 1 FROM activations o WHERE o.license_id = NEW.license_id
                    AND o.platform = NEW.platform AND o.id <> NEW.id)
    FROM (SELECT '*' AS node UNION ALL SELECT customer_id FROM licenses
          WHERE id = NEW.license_id AND customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, platform) DO UPDATE SET
        total = total + excluded.total, active = active + excluded.active,
        licenses = licenses + excluded.licenses;
    UPDATE licenses SET first_used_at = NEW.created_at
    WHERE id = NEW.license_id AND (first_used_at IS NULL OR first_used_at > NEW.created_at);
END;

CREATE TRIGGER activations_recounted AFTER UPDATE OF license_id, platform, deactivated_at
    ON activations BEGIN
    INSERT INTO platform_counts (customer_id, platform, total, active, licenses)
    SELECT n.node, OLD.platform, -1, -(OLD.deactivated_at IS NULL),
        -NOT EXISTS (SELECT 1 FROM activations o WHERE o.license_id = OLD.license_id
                     AND o.platform = OLD.platform AND o.id <> OLD.id)
    FROM (SELECT '*' AS node UNION ALL SELECT customer_id FROM licenses
          WHERE id = OLD.license_id AND customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, platform) DO UPDATE SET
        total = total + excluded.total, active = active + excluded.active,
        licenses = licenses + excluded.licenses;
    INSERT INTO platform_counts (customer_id, platform, total, active, licenses)
    SELECT n.node, NEW.platform, 1, NEW.deactivated_at IS NULL,
        NOT EXISTS (SELECT 1 FROM activations o WHERE o.license_id = NEW.license_id
                    AND o.platform = NEW.platform AND o.id <> NEW.id)
    FROM (SELECT '*' AS node UNION ALL SELECT customer_id FROM licenses
          WHERE id = NEW.license_id AND customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, platform) DO UPDATE SET
        total = total + excluded.total, active = active + excluded.active,
        licenses = licenses + excluded.licenses;
END;

CREATE TRIGGER leases_counted AFTER INSERT ON leases BEGIN
    UPDATE licenses SET first_used_at = NEW.created_at
    WHERE id = NEW.license_id AND (first_used_at IS NULL OR first_used_at > NEW.created_at);
END;
