
-- What every write of every instance waits for is written when its
-- transaction commits, not when the write is: a row a transaction writes
-- is held to its COMMIT, round trips to the server included, so the rows
-- all writes share are written last, inside the COMMIT, where no round
-- trip is left to wait for.

-- 1. The report counters of a licence (license_counts, first_use_days,
-- issue_days, expiry_days) are written when its transaction commits, not
-- when the licence is: a writer holds a counter row from its first write
-- to its COMMIT, and every issue of a product and policy writes the same
-- rows (under '*' and at the node), so issues queued on them for their
-- whole transaction, round trips included. At COMMIT they are written in
-- the order their events came (an insert before its updates).
-- Only reports read these counters, never a write inside its own
-- transaction; the seat counters that the allocation checks read stay
-- immediate, and so do the platform counts (which look at the licence's
-- other activations as they are written).

DROP TRIGGER licenses_counted ON licenses;
CREATE CONSTRAINT TRIGGER licenses_counted AFTER INSERT ON licenses
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION licenses_counted();

DROP TRIGGER licenses_recounted ON licenses;
CREATE CONSTRAINT TRIGGER licenses_recounted AFTER UPDATE ON licenses
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.product_id, OLD.policy_id, OLD.status, OLD.seats,
                        OLD.issued_at)
                       IS DISTINCT FROM
                       (NEW.customer_id, NEW.product_id, NEW.policy_id, NEW.status, NEW.seats,
                        NEW.issued_at))
    EXECUTE FUNCTION licenses_counted();

DROP TRIGGER licenses_use_recounted ON licenses;
CREATE CONSTRAINT TRIGGER licenses_use_recounted AFTER UPDATE ON licenses
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.product_id, OLD.policy_id, OLD.status, OLD.seats,
                        OLD.issued_at)
                       IS NOT DISTINCT FROM
                       (NEW.customer_id, NEW.product_id, NEW.policy_id, NEW.status, NEW.seats,
                        NEW.issued_at)
                       AND (OLD.seats_used, OLD.first_used_at)
                       IS DISTINCT FROM (NEW.seats_used, NEW.first_used_at))
    EXECUTE FUNCTION licenses_use_counted();

DROP TRIGGER licenses_expiry_counted ON licenses;
CREATE CONSTRAINT TRIGGER licenses_expiry_counted AFTER INSERT ON licenses
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION licenses_expiry_counted();

DROP TRIGGER licenses_expiry_recounted ON licenses;
CREATE CONSTRAINT TRIGGER licenses_expiry_recounted AFTER UPDATE ON licenses
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN ((OLD.customer_id, OLD.policy_id, OLD.status, OLD.expires_at)
                       IS DISTINCT FROM
                       (NEW.customer_id, NEW.policy_id, NEW.status, NEW.expires_at))
    EXECUTE FUNCTION licenses_expiry_counted();

-- 2. The history entry. Every write appends one, and the chain's head is
-- one row: a write queues its entry (numbered, chained and hashed by
-- nobody yet) and, at COMMIT, this trigger takes the head, numbers the
-- entry, hashes it (SHA-256 of the previous hash, `[`, the number, `,`
-- and the rest of the entry's canonical bytes, which the server gives)
-- and stores it. Entries are numbered in the order their writes commit.
-- The queue is empty outside a transaction: unlogged, it costs no WAL.
CREATE UNLOGGED TABLE history_queue (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    operation      TEXT NOT NULL,
    subject        TEXT NOT NULL,
    license_id     TEXT,
    customer_id    TEXT,
    details        TEXT NOT NULL,
    canonical_tail BYTEA NOT NULL
);

CREATE FUNCTION history_queued() RETURNS trigger AS $$
DECLARE
    head history_head%ROWTYPE;
BEGIN
    UPDATE history_head SET seq = seq + 1 WHERE id = 1 RETURNING * INTO head;
    INSERT INTO history (seq, at, actor, operation, subject, license_id, customer_id, details,
                         prev_hash, hash)
    VALUES (head.seq, NEW.at, NEW.actor, NEW.operation, NEW.subject, NEW.license_id,
            NEW.customer_id, NEW.details, head.hash,
            encode(sha256(convert_to(head.hash || '[' || head.seq || ',', 'UTF8')
                          || NEW.canonical_tail), 'hex'));
    -- The history_tip trigger (migration 2) has moved the head's hash along.
    DELETE FROM history_queue WHERE id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER history_queued AFTER INSERT ON history_queue
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION history_queued();
