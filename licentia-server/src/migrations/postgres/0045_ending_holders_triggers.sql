
-- A licence's end, and a subscription's, is counted at its holder's name
-- too, where it is counted by day (0037's and 0039's functions; the
-- licences' run at COMMIT since 0044): one trigger per write still.
CREATE OR REPLACE FUNCTION count_expiry(l licenses, sign BIGINT) RETURNS void AS $$
DECLARE
    node TEXT;
    held TEXT;
BEGIN
    IF l.status = 'revoked' OR l.expires_at IS NULL THEN
        RETURN;
    END IF;
    FOREACH node IN ARRAY ARRAY['*', l.customer_id] LOOP
        CONTINUE WHEN node IS NULL;
        INSERT INTO expiry_days AS d (customer_id, day, policy_id, licenses)
        VALUES (node, l.expires_at / 86400, l.policy_id, sign)
        ON CONFLICT (customer_id, day, policy_id) DO UPDATE SET
            licenses = d.licenses + excluded.licenses;
    END LOOP;
    IF l.customer_id IS NULL THEN
        RETURN;
    END IF;
    SELECT c.name INTO held FROM customers c WHERE c.id = l.customer_id;
    INSERT INTO expiry_holders AS h (day, name, customer_id, licenses)
    VALUES (l.expires_at / 86400, held, l.customer_id, sign)
    ON CONFLICT (day, name, customer_id) DO UPDATE SET
        licenses = h.licenses + excluded.licenses;
    IF sign < 0 THEN
        DELETE FROM expiry_holders h
        WHERE h.day = l.expires_at / 86400 AND h.name = held AND h.customer_id = l.customer_id
          AND h.licenses = 0;
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION count_subscription_end(s subscriptions, sign BIGINT) RETURNS void AS $$
DECLARE
    node TEXT;
    held TEXT;
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
    SELECT c.name INTO held FROM customers c WHERE c.id = s.customer_id;
    INSERT INTO subscription_end_holders AS h (day, name, customer_id, subscriptions)
    VALUES (COALESCE(s.ends_on, s.term_end), held, s.customer_id, sign)
    ON CONFLICT (day, name, customer_id) DO UPDATE SET
        subscriptions = h.subscriptions + excluded.subscriptions;
    IF sign < 0 THEN
        DELETE FROM subscription_end_holders h
        WHERE h.day = COALESCE(s.ends_on, s.term_end) AND h.name = held
          AND h.customer_id = s.customer_id AND h.subscriptions = 0;
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION customers_ending_renamed() RETURNS trigger AS $$
BEGIN
    UPDATE expiry_holders SET name = NEW.name WHERE customer_id = NEW.id;
    UPDATE subscription_end_holders SET name = NEW.name WHERE customer_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER customers_ending_renamed AFTER UPDATE OF name ON customers
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION customers_ending_renamed();
