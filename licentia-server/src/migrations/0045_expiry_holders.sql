-- The holders of the licences ending each day, by name (issue 13): a page
-- of the renewals grouped by customer is a merge of its window's days,
-- each day's holders read in name order from this table's key, instead of
-- a walk of every customer's name or a read of every holder of the window
-- (0.5-1.4 s at ten million licences). A licence not revoked, with an end
-- and a holder, counts here on the UTC day of its end (days since 1970)
-- under its holder's name, which follows the holder's renames; a row that
-- counts none is deleted. Kept by the expiry triggers (0037's, replaced by
-- this migration's text for each dialect) and the rename trigger; the next
-- text (0045_expiry_holders_count.sql) counts the rows already stored.
CREATE TABLE expiry_holders (
    day         BIGINT NOT NULL,
    name        TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    licenses    BIGINT NOT NULL,
    PRIMARY KEY (day, name, customer_id)
);
-- A rename finds its holder's rows.
CREATE INDEX expiry_holders_customer ON expiry_holders (customer_id);
