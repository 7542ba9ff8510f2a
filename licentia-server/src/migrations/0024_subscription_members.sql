-- Rainbow's model: a subscription is a number of licences, and a member's
-- service consumes one of them. `subscription_id` names the subscription
-- a member's service was taken from (NULL: a service of a plan alone, a
-- seat of the node's allocation as before).
ALTER TABLE members ADD COLUMN subscription_id TEXT REFERENCES subscriptions (id);
CREATE INDEX members_subscription ON members (subscription_id);

-- The company's default licence (the star) may be a subscription: new
-- members then take their service from it. `plan_id` stays the
-- subscription's plan, so older readers still find the plan.
ALTER TABLE default_plans ADD COLUMN subscription_id TEXT REFERENCES subscriptions (id);
