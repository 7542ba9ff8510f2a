-- Notice preferences of a person: a notice subscription that belongs to an
-- account (mailed to its address), for one kind, announced lead_months
-- months before the date (instead of the configured lead times).
ALTER TABLE notice_subscriptions ADD COLUMN account_id TEXT REFERENCES accounts (id);
ALTER TABLE notice_subscriptions ADD COLUMN lead_months BIGINT;
CREATE INDEX notice_subscriptions_account ON notice_subscriptions (account_id);
