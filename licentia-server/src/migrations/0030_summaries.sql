-- Counters the reports read instead of scanning licences and activations
-- (issue 17): one row per customer node, and the same under the node '*'
-- for the whole base (licences without a node count only there). The
-- triggers of this migration (one text per dialect) keep them in the
-- transaction of every write, whatever path made it; the next text
-- (0030_summaries_count.sql) fills them from the rows already stored.

-- A licence's first use: its first activation (deactivated ones too) or
-- floating lease.
ALTER TABLE licenses ADD COLUMN first_used_at BIGINT;

-- Licences by node, product and policy (the licence models report).
CREATE TABLE license_counts (
    customer_id TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    policy_id   TEXT NOT NULL,
    licenses    BIGINT NOT NULL,
    active      BIGINT NOT NULL,
    seats       BIGINT NOT NULL,
    seats_used  BIGINT NOT NULL,
    PRIMARY KEY (customer_id, product_id, policy_id)
);

-- Activations by node and platform; `licenses` counts the licences with
-- at least one activation on it.
CREATE TABLE platform_counts (
    customer_id TEXT NOT NULL,
    platform    TEXT NOT NULL,
    total       BIGINT NOT NULL,
    active      BIGINT NOT NULL,
    licenses    BIGINT NOT NULL,
    PRIMARY KEY (customer_id, platform)
);

-- Licences by node, product, policy and whole days from issue to first
-- use (-1: not used yet), the histogram the activation delay report reads.
CREATE TABLE first_use_days (
    customer_id TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    policy_id   TEXT NOT NULL,
    days        BIGINT NOT NULL,
    licenses    BIGINT NOT NULL,
    PRIMARY KEY (customer_id, product_id, policy_id, days)
);

-- Licences by node and day of issue (UTC days since 1970), the console's
-- licences issued per month.
CREATE TABLE issue_days (
    customer_id TEXT NOT NULL,
    day         BIGINT NOT NULL,
    licenses    BIGINT NOT NULL,
    PRIMARY KEY (customer_id, day)
);
