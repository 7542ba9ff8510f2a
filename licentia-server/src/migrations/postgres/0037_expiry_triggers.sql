
-- Each written licence is taken out as it was (OLD) and counted in as it
-- is (NEW), under '*' then at its node.

CREATE FUNCTION count_expiry(l licenses, sign BIGINT) RETURNS void AS $$
DECLARE
    node TEXT;
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
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION licenses_expiry_counted() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM count_expiry(OLD, -1);
    END IF;
    PERFORM count_expiry(NEW, 1);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER licenses_expiry_counted AFTER INSERT ON licenses
    FOR EACH ROW EXECUTE FUNCTION licenses_expiry_counted();
CREATE TRIGGER licenses_expiry_recounted AFTER UPDATE ON licenses
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.policy_id, OLD.status, OLD.expires_at)
                       IS DISTINCT FROM
                       (NEW.customer_id, NEW.policy_id, NEW.status, NEW.expires_at))
    EXECUTE FUNCTION licenses_expiry_counted();
