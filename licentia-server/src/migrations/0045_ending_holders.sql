-- The holders of the licences ending each day, and of the subscriptions,
-- by name (issue 13): a page of the renewals grouped by customer is a
-- merge of its window's days, each day's holders read in name order from
-- these tables' keys, instead of a walk of every customer's name or a read
-- of every holder of the window (0.5-1.4 s at ten million licences). A
-- licence not revoked, with an end and a holder, counts in
-- `expiry_holders` on the UTC day of its end (days since 1970); a
-- subscription not ended in `subscription_end_holders` on its last day
-- (as `subscription_end_days` counts it); each under its holder's name,
-- which follows the holder's renames. A row that counts none is deleted.
-- Kept by this migration's triggers (a text for each dialect); the next
-- text (0045_ending_holders_count.sql) counts the rows already stored.
CREATE TABLE expiry_holders (
    day         BIGINT NOT NULL,
    name        TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    licenses    BIGINT NOT NULL,
    PRIMARY KEY (day, name, customer_id)
);
CREATE TABLE subscription_end_holders (
    day           TEXT NOT NULL,
    name          TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    subscriptions BIGINT NOT NULL,
    PRIMARY KEY (day, name, customer_id)
);
-- A rename finds its holder's rows.
CREATE INDEX expiry_holders_customer ON expiry_holders (customer_id);
CREATE INDEX subscription_end_holders_customer ON subscription_end_holders (customer_id);
-- The licences of no customer by their end: whether a window holds one
-- (the group of no customer, beside the holders) is a probe of this small
-- index, not a read of every licence of no customer (15,000 of them in
-- the ten-million set after its benches: 19 ms).
CREATE INDEX licenses_unheld_ending ON licenses (expires_at) WHERE customer_id IS NULL;
