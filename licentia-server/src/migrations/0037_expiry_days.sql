-- Licences ending, by node, day and policy (issue 17): the renewals
-- report and the dashboard count the whole days of their window here
-- instead of reading every licence ending in it; only the window's two
-- partial days are read from the licences. A licence not revoked, with an
-- end, counts at its node and under '*' for the whole base (one without a
-- node counts only there), on the UTC day of its end (days since 1970).
-- Kept by the triggers of this migration (one text per dialect); the next
-- text (0037_expiry_days_count.sql) counts the rows already stored.
CREATE TABLE expiry_days (
    customer_id TEXT NOT NULL,
    day         BIGINT NOT NULL,
    policy_id   TEXT NOT NULL,
    licenses    BIGINT NOT NULL,
    PRIMARY KEY (customer_id, day, policy_id)
);
