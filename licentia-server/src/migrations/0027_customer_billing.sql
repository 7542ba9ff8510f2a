-- A customer's billing cycle (Wazo): chosen at its creation, changed from
-- the start of its next calendar cycle (`billing_next` from
-- `billing_next_on`, made current by the nightly job on that day). Its
-- subscriptions created without an interval of their own follow it
-- (`follows_customer`), each from its own next invoice.
ALTER TABLE customers ADD COLUMN billing_interval TEXT;
ALTER TABLE customers ADD COLUMN billing_next TEXT;
ALTER TABLE customers ADD COLUMN billing_next_on TEXT;
ALTER TABLE subscriptions ADD COLUMN follows_customer BIGINT NOT NULL DEFAULT 0;
