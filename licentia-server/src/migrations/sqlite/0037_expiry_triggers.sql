
-- Each written licence is taken out as it was (OLD) and counted in as it
-- is (NEW), at its node and under '*'. (The upserts' WHERE lets SQLite
-- read ON CONFLICT as theirs.)

CREATE TRIGGER licenses_expiry_counted AFTER INSERT ON licenses
    WHEN NEW.status <> 'revoked' AND NEW.expires_at IS NOT NULL BEGIN
    INSERT INTO expiry_days (customer_id, day, policy_id, licenses)
    SELECT n.node, NEW.expires_at / 86400, NEW.policy_id, 1
    FROM (SELECT '*' AS node UNION ALL SELECT NEW.customer_id WHERE NEW.customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, day, policy_id) DO UPDATE SET licenses = licenses + excluded.licenses;
END;

CREATE TRIGGER licenses_expiry_recounted AFTER UPDATE OF customer_id, policy_id, status, expires_at
    ON licenses BEGIN
    INSERT INTO expiry_days (customer_id, day, policy_id, licenses)
    SELECT n.node, n.day, n.policy_id, n.sign
    FROM (SELECT '*' AS node, -1 AS sign, OLD.expires_at / 86400 AS day, OLD.policy_id AS policy_id,
              OLD.status AS status, OLD.expires_at AS expires_at
          UNION ALL SELECT OLD.customer_id, -1, OLD.expires_at / 86400, OLD.policy_id, OLD.status,
              OLD.expires_at WHERE OLD.customer_id IS NOT NULL
          UNION ALL SELECT '*', 1, NEW.expires_at / 86400, NEW.policy_id, NEW.status, NEW.expires_at
          UNION ALL SELECT NEW.customer_id, 1, NEW.expires_at / 86400, NEW.policy_id, NEW.status,
              NEW.expires_at WHERE NEW.customer_id IS NOT NULL) n
    WHERE n.status <> 'revoked' AND n.expires_at IS NOT NULL
    ON CONFLICT (customer_id, day, policy_id) DO UPDATE SET licenses = licenses + excluded.licenses;
END;
