
-- The counters follow every write inside the writing statement: each
-- changed row is taken out as it was (OLD) and counted in as it is (NEW),
-- under '*' then at its node (the same order in every writer). Licences
-- and activations are never deleted.

CREATE FUNCTION count_license(l licenses, sign BIGINT) RETURNS void AS $$
DECLARE
    node TEXT;
BEGIN
    FOREACH node IN ARRAY ARRAY['*', l.customer_id] LOOP
        CONTINUE WHEN node IS NULL;
        INSERT INTO license_counts AS c
            (customer_id, product_id, policy_id, licenses, active, seats, seats_used)
        VALUES (node, l.product_id, l.policy_id, sign,
                CASE WHEN l.status = 'active' THEN sign ELSE 0 END,
                sign * l.seats, sign * l.seats_used)
        ON CONFLICT (customer_id, product_id, policy_id) DO UPDATE SET
            licenses = c.licenses + excluded.licenses, active = c.active + excluded.active,
            seats = c.seats + excluded.seats, seats_used = c.seats_used + excluded.seats_used;
        INSERT INTO first_use_days AS d (customer_id, product_id, policy_id, days, licenses)
        VALUES (node, l.product_id, l.policy_id,
                CASE WHEN l.first_used_at IS NULL THEN -1
                     WHEN l.first_used_at <= l.issued_at THEN 0
                     ELSE (l.first_used_at - l.issued_at) / 86400 END,
                sign)
        ON CONFLICT (customer_id, product_id, policy_id, days) DO UPDATE SET
            licenses = d.licenses + excluded.licenses;
        INSERT INTO issue_days AS i (customer_id, day, licenses)
        VALUES (node, l.issued_at / 86400, sign)
        ON CONFLICT (customer_id, day) DO UPDATE SET licenses = i.licenses + excluded.licenses;
    END LOOP;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION licenses_counted() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM count_license(OLD, -1);
    END IF;
    PERFORM count_license(NEW, 1);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER licenses_counted AFTER INSERT ON licenses
    FOR EACH ROW EXECUTE FUNCTION licenses_counted();
-- Only the columns counted: a renewal or a lock bump writes no counter.
CREATE TRIGGER licenses_recounted AFTER UPDATE ON licenses
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.product_id, OLD.policy_id, OLD.status, OLD.seats,
                        OLD.seats_used, OLD.issued_at, OLD.first_used_at)
                       IS DISTINCT FROM
                       (NEW.customer_id, NEW.product_id, NEW.policy_id, NEW.status, NEW.seats,
                        NEW.seats_used, NEW.issued_at, NEW.first_used_at))
    EXECUTE FUNCTION licenses_counted();

CREATE FUNCTION count_activation(a activations, sign BIGINT) RETURNS void AS $$
DECLARE
    node TEXT;
    -- The licence's first activation on this platform counts it there.
    first BIGINT := CASE WHEN EXISTS (SELECT 1 FROM activations o WHERE o.license_id = a.license_id
                                      AND o.platform = a.platform AND o.id <> a.id)
                         THEN 0 ELSE sign END;
BEGIN
    FOREACH node IN ARRAY ARRAY['*', (SELECT customer_id FROM licenses WHERE id = a.license_id)] LOOP
        CONTINUE WHEN node IS NULL;
        INSERT INTO platform_counts AS p (customer_id, platform, total, active, licenses)
        VALUES (node, a.platform, sign,
                CASE WHEN a.deactivated_at IS NULL THEN sign ELSE 0 END, first)
        ON CONFLICT (customer_id, platform) DO UPDATE SET
            total = p.total + excluded.total, active = p.active + excluded.active,
            licenses = p.licenses + excluded.licenses;
    END LOOP;
END
$$ LANGUAGE plpgsql;

-- A licence's first use is the earliest activation or lease made for it.
CREATE FUNCTION first_use(license TEXT, at BIGINT) RETURNS void AS $$
BEGIN
    UPDATE licenses SET first_used_at = at
    WHERE id = license AND (first_used_at IS NULL OR first_used_at > at);
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION activations_counted() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM count_activation(OLD, -1);
    END IF;
    PERFORM count_activation(NEW, 1);
    IF TG_OP = 'INSERT' THEN
        PERFORM first_use(NEW.license_id, NEW.created_at);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER activations_counted AFTER INSERT ON activations
    FOR EACH ROW EXECUTE FUNCTION activations_counted();
CREATE TRIGGER activations_recounted AFTER UPDATE ON activations
    FOR EACH ROW WHEN ((OLD.license_id, OLD.platform, OLD.deactivated_at)
                       IS DISTINCT FROM (NEW.license_id, NEW.platform, NEW.deactivated_at))
    EXECUTE FUNCTION activations_counted();

CREATE FUNCTION leases_counted() RETURNS trigger AS $$
BEGIN
    PERFORM first_use(NEW.license_id, NEW.created_at);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER leases_counted AFTER INSERT ON leases
    FOR EACH ROW EXECUTE FUNCTION leases_counted();
