
-- Each written licence and subscription is taken out of its holder's
-- name as it was (OLD) and counted in as it is (NEW). The licences' at
-- COMMIT, as their other counters since 0044.

CREATE FUNCTION count_expiry_holder(l licenses, sign BIGINT) RETURNS void AS $$
DECLARE
    held TEXT;
BEGIN
    IF l.status = 'revoked' OR l.expires_at IS NULL OR l.customer_id IS NULL THEN
        RETURN;
    END IF;
    SELECT c.name INTO held FROM customers c WHERE c.id = l.customer_id;
    INSERT INTO expiry_holders AS h (day, name, customer_id, licenses)
    VALUES (l.expires_at / 86400, held, l.customer_id, sign)
    ON CONFLICT (day, name, customer_id) DO UPDATE SET licenses = h.licenses + excluded.licenses;
    -- Only a licence taken out can leave a row at none.
    IF sign < 0 THEN
        DELETE FROM expiry_holders h
        WHERE h.day = l.expires_at / 86400 AND h.name = held AND h.customer_id = l.customer_id
          AND h.licenses = 0;
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION licenses_expiry_held() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM count_expiry_holder(OLD, -1);
    END IF;
    PERFORM count_expiry_holder(NEW, 1);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER licenses_expiry_held AFTER INSERT ON licenses
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION licenses_expiry_held();
CREATE CONSTRAINT TRIGGER licenses_expiry_reheld AFTER UPDATE ON licenses
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.status, OLD.expires_at)
                       IS DISTINCT FROM (NEW.customer_id, NEW.status, NEW.expires_at))
    EXECUTE FUNCTION licenses_expiry_held();

CREATE FUNCTION count_subscription_holder(s subscriptions, sign BIGINT) RETURNS void AS $$
DECLARE
    held TEXT;
    last_day TEXT := COALESCE(s.ends_on, s.term_end);
BEGIN
    IF s.status = 'ended' THEN
        RETURN;
    END IF;
    SELECT c.name INTO held FROM customers c WHERE c.id = s.customer_id;
    INSERT INTO subscription_end_holders AS h (day, name, customer_id, subscriptions)
    VALUES (last_day, held, s.customer_id, sign)
    ON CONFLICT (day, name, customer_id) DO UPDATE SET
        subscriptions = h.subscriptions + excluded.subscriptions;
    IF sign < 0 THEN
        DELETE FROM subscription_end_holders h
        WHERE h.day = last_day AND h.name = held AND h.customer_id = s.customer_id
          AND h.subscriptions = 0;
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION subscriptions_end_held() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM count_subscription_holder(OLD, -1);
    END IF;
    PERFORM count_subscription_holder(NEW, 1);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER subscriptions_end_held AFTER INSERT ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION subscriptions_end_held();
CREATE TRIGGER subscriptions_end_reheld AFTER UPDATE ON subscriptions
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.status, OLD.ends_on, OLD.term_end)
                       IS DISTINCT FROM (NEW.customer_id, NEW.status, NEW.ends_on, NEW.term_end))
    EXECUTE FUNCTION subscriptions_end_held();

-- A holder renamed takes its rows along.
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
