-- Subscriptions ending, by node, last day and plan (issue 17): the
-- renewals report and the dashboard count the inner days of their window
-- here instead of reading every subscription ending in it; only the
-- window's first and last two days, where a subscription's own zone
-- decides, are read from the subscriptions. A subscription not ended
-- counts at its node and under '*' for the whole base, on its last day
-- (the term's, or the day a cancelled one ends: `YYYY-MM-DD`). Kept by the
-- triggers of this migration (one text per dialect); the next text
-- (0039_subscription_end_days_count.sql) counts the rows already stored.
CREATE TABLE subscription_end_days (
    customer_id   TEXT NOT NULL,
    day           TEXT NOT NULL,
    plan_id       TEXT NOT NULL,
    subscriptions BIGINT NOT NULL,
    PRIMARY KEY (customer_id, day, plan_id)
);
