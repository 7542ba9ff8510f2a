-- The chain's tip follows every appended entry inside the appending
-- statement itself: one round trip fewer per mutation.
CREATE FUNCTION history_tip() RETURNS trigger AS $$
BEGIN
    UPDATE history_head SET hash = NEW.hash WHERE id = 1;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER history_tip AFTER INSERT ON history
    FOR EACH ROW EXECUTE FUNCTION history_tip();
