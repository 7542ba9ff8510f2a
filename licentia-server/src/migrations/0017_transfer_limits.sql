-- How often a license may move machines: a product may give a machine back
-- (and so move to another) at most max_transfers times per
-- transfer_period_days; NULL: no limit. Staff may always deactivate.
ALTER TABLE policies ADD COLUMN max_transfers BIGINT;
ALTER TABLE policies ADD COLUMN transfer_period_days BIGINT NOT NULL DEFAULT 365;
