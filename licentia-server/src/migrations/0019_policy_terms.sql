-- Every term the core signs, from the back office: a "renew soon" warning
-- renew_soon_days before the hard expiry, and a maintenance window
-- (updates-until) maintenance_days after issue. NULL: the policy signs none
-- (every policy made before this migration).
ALTER TABLE policies ADD COLUMN renew_soon_days BIGINT;
ALTER TABLE policies ADD COLUMN maintenance_days BIGINT;
