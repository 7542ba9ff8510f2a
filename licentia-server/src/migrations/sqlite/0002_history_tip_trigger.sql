-- The chain's tip follows every appended entry inside the appending
-- statement itself: one round trip fewer per mutation.
CREATE TRIGGER history_tip AFTER INSERT ON history
BEGIN
    UPDATE history_head SET hash = NEW.hash WHERE id = 1;
END;
