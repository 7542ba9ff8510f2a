
-- Each written subscription is taken out as it was (OLD) and counted in
-- as it is (NEW), at its node and under '*'. (The upserts' WHERE lets
-- SQLite read ON CONFLICT as theirs.)

CREATE TRIGGER subscriptions_end_counted AFTER INSERT ON subscriptions
    WHEN NEW.status <> 'ended' BEGIN
    INSERT INTO subscription_end_days (customer_id, day, plan_id, subscriptions)
    SELECT n.node, COALESCE(NEW.ends_on, NEW.term_end), NEW.plan_id, 1
    FROM (SELECT '*' AS node UNION ALL SELECT NEW.customer_id) n
    WHERE 1 = 1
    ON CONFLICT (customer_id, day, plan_id) DO UPDATE
        SET subscriptions = subscriptions + excluded.subscriptions;
END;

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
END;
