
-- A licence's use changes on the hot paths (each activation, deactivation
-- and lease moves `seats_used`; its first use sets `first_used_at` once):
-- such a write moves only what it changes, `license_counts.seats_used` by
-- the difference and the licence from one first-use day to the other,
-- instead of counting the licence out of every counter and in again (a
-- dozen upserts). Any other counted change still recounts it whole.

DROP TRIGGER licenses_recounted ON licenses;
CREATE TRIGGER licenses_recounted AFTER UPDATE ON licenses
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.product_id, OLD.policy_id, OLD.status, OLD.seats,
                        OLD.issued_at)
                       IS DISTINCT FROM
                       (NEW.customer_id, NEW.product_id, NEW.policy_id, NEW.status, NEW.seats,
                        NEW.issued_at))
    EXECUTE FUNCTION licenses_counted();

CREATE FUNCTION first_use_day(l licenses) RETURNS BIGINT AS $$
    SELECT CASE WHEN l.first_used_at IS NULL THEN -1
                WHEN l.first_used_at <= l.issued_at THEN 0
                ELSE (l.first_used_at - l.issued_at) / 86400 END
$$ LANGUAGE sql IMMUTABLE;

CREATE FUNCTION licenses_use_counted() RETURNS trigger AS $$
DECLARE
    node TEXT;
BEGIN
    -- Under '*' then at its node, the order of every writer.
    FOREACH node IN ARRAY ARRAY['*', NEW.customer_id] LOOP
        CONTINUE WHEN node IS NULL;
        IF NEW.seats_used <> OLD.seats_used THEN
            UPDATE license_counts SET seats_used = seats_used + (NEW.seats_used - OLD.seats_used)
            WHERE customer_id = node AND product_id = NEW.product_id AND policy_id = NEW.policy_id;
        END IF;
        IF NEW.first_used_at IS DISTINCT FROM OLD.first_used_at THEN
            UPDATE first_use_days SET licenses = licenses - 1
            WHERE customer_id = node AND product_id = NEW.product_id
              AND policy_id = NEW.policy_id AND days = first_use_day(OLD);
            INSERT INTO first_use_days AS d (customer_id, product_id, policy_id, days, licenses)
            VALUES (node, NEW.product_id, NEW.policy_id, first_use_day(NEW), 1)
            ON CONFLICT (customer_id, product_id, policy_id, days) DO UPDATE SET
                licenses = d.licenses + 1;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER licenses_use_recounted AFTER UPDATE ON licenses
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.product_id, OLD.policy_id, OLD.status, OLD.seats,
                        OLD.issued_at)
                       IS NOT DISTINCT FROM
                       (NEW.customer_id, NEW.product_id, NEW.policy_id, NEW.status, NEW.seats,
                        NEW.issued_at)
                       AND (OLD.seats_used, OLD.first_used_at)
                       IS DISTINCT FROM (NEW.seats_used, NEW.first_used_at))
    EXECUTE FUNCTION licenses_use_counted();
