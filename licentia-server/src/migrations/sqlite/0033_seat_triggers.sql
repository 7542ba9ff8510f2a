
-- Each write that may change the seats a licence holds counts the licence
-- out of its node before it (-1) and in again after it (+1), so the
-- counter moves by the difference, whatever path made the write. (The
-- upserts' WHERE lets SQLite read ON CONFLICT as theirs.)

-- A new activation counts once, after it is stored: an insert that ON
-- CONFLICT skips (the same machine again) fires BEFORE triggers but no
-- AFTER one, so it must not count the licence out before. It holds a seat
-- when live and its licence is not a member's service.
CREATE TRIGGER activations_seats_in AFTER INSERT ON activations BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT l.customer_id, l.product_id, 1 FROM licenses l
    WHERE l.id = NEW.license_id AND l.customer_id IS NOT NULL AND NEW.deactivated_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM members m WHERE m.license_id = l.id)
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER activations_seats_moved_out BEFORE UPDATE OF license_id, deactivated_at ON activations BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, -held FROM license_seats
    WHERE id IN (OLD.license_id, NEW.license_id) AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER activations_seats_moved_in AFTER UPDATE OF license_id, deactivated_at ON activations BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, held FROM license_seats
    WHERE id IN (OLD.license_id, NEW.license_id) AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER members_seats_out BEFORE INSERT ON members BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, -held FROM license_seats
    WHERE id = NEW.license_id AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER members_seats_in AFTER INSERT ON members BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, held FROM license_seats
    WHERE id = NEW.license_id AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER members_seats_moved_out BEFORE UPDATE OF license_id ON members BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, -held FROM license_seats
    WHERE id IN (OLD.license_id, NEW.license_id) AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER members_seats_moved_in AFTER UPDATE OF license_id ON members BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, held FROM license_seats
    WHERE id IN (OLD.license_id, NEW.license_id) AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER members_seats_gone_out BEFORE DELETE ON members BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, -held FROM license_seats
    WHERE id = OLD.license_id AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER members_seats_gone_in AFTER DELETE ON members BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, held FROM license_seats
    WHERE id = OLD.license_id AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER licenses_seats_out BEFORE UPDATE OF customer_id, product_id, status ON licenses BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, -held FROM license_seats
    WHERE id = NEW.id AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;

CREATE TRIGGER licenses_seats_in AFTER UPDATE OF customer_id, product_id, status ON licenses BEGIN
    INSERT INTO seat_counts (customer_id, product_id, used)
    SELECT customer_id, product_id, held FROM license_seats
    WHERE id = NEW.id AND held <> 0
    ON CONFLICT (customer_id, product_id) DO UPDATE SET used = used + excluded.used;
END;
