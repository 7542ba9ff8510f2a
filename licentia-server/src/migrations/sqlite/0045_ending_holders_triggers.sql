
-- A licence's end, and a subscription's, is counted at its holder's name
-- too, by 0037's and 0039's triggers made anew with it. (The upserts' WHERE lets SQLite read ON CONFLICT as
-- theirs.)

DROP TRIGGER licenses_expiry_counted;
CREATE TRIGGER licenses_expiry_counted AFTER INSERT ON licenses
    WHEN NEW.status <> 'revoked' AND NEW.expires_at IS NOT NULL BEGIN
    INSERT INTO expiry_days (customer_id, day, policy_id, licenses)
    SELECT n.node, NEW.expires_at / 86400, NEW.policy_id, 1
    FROM (SELECT '*' AS node UNION ALL SELECT NEW.customer_id WHERE NEW.customer_id IS NOT NULL) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, day, policy_id) DO UPDATE SET licenses = licenses + excluded.licenses;
    INSERT INTO expiry_holders (day, name, customer_id, licenses)
    SELECT NEW.expires_at / 86400, c.name, c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (day, name, customer_id) DO UPDATE SET licenses = licenses + excluded.licenses;
END;

DROP TRIGGER licenses_expiry_recounted;
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
    INSERT INTO expiry_holders (day, name, customer_id, licenses)
    SELECT n.day, c.name, c.id, n.sign
    FROM (SELECT -1 AS sign, OLD.customer_id AS customer_id, OLD.expires_at / 86400 AS day,
              OLD.status AS status, OLD.expires_at AS expires_at
          UNION ALL SELECT 1, NEW.customer_id, NEW.expires_at / 86400, NEW.status,
              NEW.expires_at) n
    JOIN customers c ON c.id = n.customer_id
    WHERE n.status <> 'revoked' AND n.expires_at IS NOT NULL
    ON CONFLICT (day, name, customer_id) DO UPDATE SET licenses = licenses + excluded.licenses;
    DELETE FROM expiry_holders
    WHERE customer_id = OLD.customer_id AND day = OLD.expires_at / 86400 AND licenses = 0;
END;

DROP TRIGGER subscriptions_end_counted;
CREATE TRIGGER subscriptions_end_counted AFTER INSERT ON subscriptions
    WHEN NEW.status <> 'ended' BEGIN
    INSERT INTO subscription_end_days (customer_id, day, plan_id, subscriptions)
    SELECT n.node, COALESCE(NEW.ends_on, NEW.term_end), NEW.plan_id, 1
    FROM (SELECT '*' AS node UNION ALL SELECT NEW.customer_id) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, day, plan_id) DO UPDATE
        SET subscriptions = subscriptions + excluded.subscriptions;
    INSERT INTO subscription_end_holders (day, name, customer_id, subscriptions)
    SELECT COALESCE(NEW.ends_on, NEW.term_end), c.name, c.id, 1
    FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (day, name, customer_id) DO UPDATE
        SET subscriptions = subscriptions + excluded.subscriptions;
END;

DROP TRIGGER subscriptions_end_recounted;
CREATE TRIGGER subscriptions_end_recounted
    AFTER UPDATE OF customer_id, plan_id, status, ends_on, term_end ON subscriptions BEGIN
    INSERT INTO subscription_end_days (customer_id, day, plan_id, subscriptions)
    SELECT n.node, n.day, n.plan_id, n.sign
    FROM (SELECT '*' AS node, -1 AS sign, COALESCE(OLD.ends_on, OLD.term_end) AS day,
              OLD.plan_id AS plan_id, OLD.status AS status
          UNION ALL SELECT OLD.customer_id, -1, COALESCE(OLD.ends_on, OLD.term_end), OLD.plan_id,
              OLD.status
          UNION ALL SELECT '*', 1, COALESCE(NEW.ends_on, NEW.term_end), NEW.plan_id, NEW.status
          UNION ALL SELECT NEW.customer_id, 1, COALESCE(NEW.ends_on, NEW.term_end), NEW.plan_id,
              NEW.status) n
    WHERE n.status <> 'ended'
    ON CONFLICT (customer_id, day, plan_id) DO UPDATE
        SET subscriptions = subscriptions + excluded.subscriptions;
    INSERT INTO subscription_end_holders (day, name, customer_id, subscriptions)
    SELECT n.day, c.name, c.id, n.sign
    FROM (SELECT -1 AS sign, OLD.customer_id AS customer_id,
              COALESCE(OLD.ends_on, OLD.term_end) AS day, OLD.status AS status
          UNION ALL SELECT 1, NEW.customer_id, COALESCE(NEW.ends_on, NEW.term_end),
              NEW.status) n
    JOIN customers c ON c.id = n.customer_id
    WHERE n.status <> 'ended'
    ON CONFLICT (day, name, customer_id) DO UPDATE
        SET subscriptions = subscriptions + excluded.subscriptions;
    DELETE FROM subscription_end_holders
    WHERE customer_id = OLD.customer_id AND day = COALESCE(OLD.ends_on, OLD.term_end)
      AND subscriptions = 0;
END;

CREATE TRIGGER customers_ending_renamed AFTER UPDATE OF name ON customers
    WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE expiry_holders SET name = NEW.name WHERE customer_id = NEW.id;
    UPDATE subscription_end_holders SET name = NEW.name WHERE customer_id = NEW.id;
END;
