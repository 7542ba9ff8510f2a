
-- Each write that may change the seats a licence holds counts the licence
-- out of its node before it (sign -1) and in again after it (+1), so the
-- counter moves by the difference, whatever path made the write.

CREATE FUNCTION count_seats(license TEXT, sign BIGINT) RETURNS void AS $$
BEGIN
    INSERT INTO seat_counts AS c (customer_id, product_id, used)
    SELECT s.customer_id, s.product_id, sign * s.held FROM license_seats s
    WHERE s.id = license AND s.held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = c.used + excluded.used;
END
$$ LANGUAGE plpgsql;

-- Activations and members: the licence the row names, before and after.
CREATE FUNCTION seats_of_row() RETURNS trigger AS $$
DECLARE
    sign BIGINT := CASE WHEN TG_WHEN = 'BEFORE' THEN -1 ELSE 1 END;
    was TEXT;
    now_named TEXT;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        was := OLD.license_id;
        PERFORM count_seats(was, sign);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        now_named := NEW.license_id;
        IF TG_OP = 'INSERT' OR now_named IS DISTINCT FROM was THEN
            PERFORM count_seats(now_named, sign);
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION seats_of_license() RETURNS trigger AS $$
BEGIN
    PERFORM count_seats(NEW.id, CASE WHEN TG_WHEN = 'BEFORE' THEN -1 ELSE 1 END);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

-- A new activation counts once, after it is stored: an insert that ON
-- CONFLICT skips (the same machine again) fires BEFORE triggers but no
-- AFTER one, so it must not count the licence out before. It holds a seat
-- when live and its licence is not a member's service.
CREATE FUNCTION seats_of_new_activation() RETURNS trigger AS $$
BEGIN
    INSERT INTO seat_counts AS c (customer_id, product_id, used)
    SELECT l.customer_id, l.product_id, 1 FROM licenses l
    WHERE l.id = NEW.license_id AND l.customer_id IS NOT NULL AND NEW.deactivated_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM members m WHERE m.license_id = l.id)
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = c.used + excluded.used;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER activations_seats_in AFTER INSERT ON activations
    FOR EACH ROW EXECUTE FUNCTION seats_of_new_activation();
CREATE TRIGGER activations_seats_moved_out BEFORE UPDATE ON activations
    FOR EACH ROW WHEN ((OLD.license_id, OLD.deactivated_at)
                       IS DISTINCT FROM (NEW.license_id, NEW.deactivated_at))
    EXECUTE FUNCTION seats_of_row();
CREATE TRIGGER activations_seats_moved_in AFTER UPDATE ON activations
    FOR EACH ROW WHEN ((OLD.license_id, OLD.deactivated_at)
                       IS DISTINCT FROM (NEW.license_id, NEW.deactivated_at))
    EXECUTE FUNCTION seats_of_row();

CREATE TRIGGER members_seats_out BEFORE INSERT ON members
    FOR EACH ROW EXECUTE FUNCTION seats_of_row();
CREATE TRIGGER members_seats_in AFTER INSERT ON members
    FOR EACH ROW EXECUTE FUNCTION seats_of_row();
CREATE TRIGGER members_seats_gone_out BEFORE DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION seats_of_row();
CREATE TRIGGER members_seats_gone_in AFTER DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION seats_of_row();
CREATE TRIGGER members_seats_moved_out BEFORE UPDATE ON members
    FOR EACH ROW WHEN (OLD.license_id IS DISTINCT FROM NEW.license_id)
    EXECUTE FUNCTION seats_of_row();
CREATE TRIGGER members_seats_moved_in AFTER UPDATE ON members
    FOR EACH ROW WHEN (OLD.license_id IS DISTINCT FROM NEW.license_id)
    EXECUTE FUNCTION seats_of_row();

CREATE TRIGGER licenses_seats_out BEFORE UPDATE ON licenses
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.product_id, OLD.status)
                       IS DISTINCT FROM (NEW.customer_id, NEW.product_id, NEW.status))
    EXECUTE FUNCTION seats_of_license();
CREATE TRIGGER licenses_seats_in AFTER UPDATE ON licenses
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.product_id, OLD.status)
                       IS DISTINCT FROM (NEW.customer_id, NEW.product_id, NEW.status))
    EXECUTE FUNCTION seats_of_license();
