
-- Each written subscription is taken out as it was (OLD) and counted in
-- as it is (NEW), under '*' then at its node.

CREATE FUNCTION count_subscription_end(s subscriptions, sign BIGINT) RETURNS void AS $$
DECLARE
    node TEXT;
BEGIN
    IF s.status = 'ended' THEN
        RETURN;
    END IF;
    FOREACH node IN ARRAY ARRAY['*', s.customer_id] LOOP
        INSERT INTO subscription_end_days AS d (customer_id, day, plan_id, subscriptions)
        VALUES (node, COALESCE(s.ends_on, s.term_end), s.plan_id, sign)
        ON CONFLICT (customer_id, day, plan_id) DO UPDATE SET
            subscriptions = d.subscriptions + excluded.subscriptions;
    END LOOP;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION subscriptions_end_counted() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM count_subscription_end(OLD, -1);
    END IF;
    PERFORM count_subscription_end(NEW, 1);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER subscriptions_end_counted AFTER INSERT ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION subscriptions_end_counted();
CREATE TRIGGER subscriptions_end_recounted AFTER UPDATE ON subscriptions
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.plan_id, OLD.status, OLD.ends_on, OLD.term_end)
                       IS DISTINCT FROM
                       (NEW.customer_id, NEW.plan_id, NEW.status, NEW.ends_on, NEW.term_end))
    EXECUTE FUNCTION subscriptions_end_counted();
