
-- A licence's use changes on the hot paths (each activation, deactivation
-- and lease moves `seats_used`; its first use sets `first_used_at` once):
-- such a write moves only what it changes, `license_counts.seats_used` by
-- the difference and the licence from one first-use day to the other,
-- instead of counting the licence out of every counter and in again (a
-- dozen upserts). Any other counted change still recounts it whole, with
-- migration 0030's statements, now only when one of its columns changed.

DROP TRIGGER licenses_recounted;
CREATE TRIGGER licenses_recounted AFTER UPDATE OF customer_id, product_id, policy_id, status,
    seats, issued_at ON licenses
    WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.product_id IS NOT NEW.product_id
        OR OLD.policy_id IS NOT NEW.policy_id OR OLD.status IS NOT NEW.status
        OR OLD.seats IS NOT NEW.seats OR OLD.issued_at IS NOT NEW.issued_at BEGIN
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

CREATE TRIGGER licenses_use_recounted AFTER UPDATE OF seats_used, first_used_at ON licenses
    WHEN OLD.customer_id IS NEW.customer_id AND OLD.product_id IS NEW.product_id
        AND OLD.policy_id IS NEW.policy_id AND OLD.status IS NEW.status
        AND OLD.seats IS NEW.seats AND OLD.issued_at IS NEW.issued_at BEGIN
    UPDATE license_counts SET seats_used = seats_used + (NEW.seats_used - OLD.seats_used)
    WHERE NEW.seats_used <> OLD.seats_used
      AND customer_id IN ('*', NEW.customer_id)
      AND product_id = NEW.product_id AND policy_id = NEW.policy_id;
    UPDATE first_use_days SET licenses = licenses - 1
    WHERE OLD.first_used_at IS NOT NEW.first_used_at
      AND customer_id IN ('*', NEW.customer_id)
      AND product_id = NEW.product_id AND policy_id = NEW.policy_id
      AND days = CASE WHEN OLD.first_used_at IS NULL THEN -1
                      WHEN OLD.first_used_at <= OLD.issued_at THEN 0
                      ELSE (OLD.first_used_at - OLD.issued_at) / 86400 END;
    INSERT INTO first_use_days (customer_id, product_id, policy_id, days, licenses)
    SELECT n.node, NEW.product_id, NEW.policy_id,
        CASE WHEN NEW.first_used_at IS NULL THEN -1
             WHEN NEW.first_used_at <= NEW.issued_at THEN 0
             ELSE (NEW.first_used_at - NEW.issued_at) / 86400 END, 1
    FROM (SELECT '*' AS node UNION ALL SELECT NEW.customer_id WHERE NEW.customer_id IS NOT NULL) n
    WHERE OLD.first_used_at IS NOT NEW.first_used_at
    ON CONFLICT (customer_id, product_id, policy_id, days) DO UPDATE SET
        licenses = licenses + excluded.licenses;
END;
