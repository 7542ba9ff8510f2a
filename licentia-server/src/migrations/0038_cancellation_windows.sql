-- Each active subscription's next last day to cancel, as the window in
-- which the dashboard counts it "this month": from the first instant of
-- that day's month to the end of that day, in the subscription's zone
-- (Unix seconds; NULL when cancelling can no longer change its end).
-- Written with every change of the subscription and moved on, once
-- passed, by the server at start and by every run of the jobs: 0 here
-- (passed) has the server compute every window at its first start.
ALTER TABLE subscriptions ADD COLUMN cancel_opens BIGINT;
ALTER TABLE subscriptions ADD COLUMN cancel_closes BIGINT;
UPDATE subscriptions SET cancel_opens = 0, cancel_closes = 0 WHERE status = 'active';
CREATE INDEX subscriptions_cancellable ON subscriptions (cancel_closes, cancel_opens);
