
-- Each written licence and subscription is taken out of its holder's
-- name as it was (OLD) and counted in as it is (NEW). (The upserts' WHERE
-- lets SQLite read ON CONFLICT as theirs.)

CREATE TRIGGER licenses_expiry_held AFTER INSERT ON licenses
    WHEN NEW.status <> 'revoked' AND NEW.expires_at IS NOT NULL BEGIN
    INSERT INTO expiry_holders (day, name, customer_id, licenses)
    SELECT NEW.expires_at / 86400, c.name, c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (day, name, customer_id) DO UPDATE SET licenses = licenses + excluded.licenses;
END;

CREATE TRIGGER licenses_expiry_reheld AFTER UPDATE OF customer_id, status, expires_at
    ON licenses BEGIN
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

CREATE TRIGGER subscriptions_end_held AFTER INSERT ON subscriptions
    WHEN NEW.status <> 'ended' BEGIN
    INSERT INTO subscription_end_holders (day, name, customer_id, subscriptions)
    SELECT COALESCE(NEW.ends_on, NEW.term_end), c.name, c.id, 1
    FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (day, name, customer_id) DO UPDATE
        SET subscriptions = subscriptions + excluded.subscriptions;
END;

CREATE TRIGGER subscriptions_end_reheld
    AFTER UPDATE OF customer_id, status, ends_on, term_end ON subscriptions BEGIN
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

-- A holder renamed takes its rows along.
CREATE TRIGGER customers_ending_renamed AFTER UPDATE OF name ON customers
    WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE expiry_holders SET name = NEW.name WHERE customer_id = NEW.id;
    UPDATE subscription_end_holders SET name = NEW.name WHERE customer_id = NEW.id;
END;
