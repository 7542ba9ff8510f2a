-- Catalogue records are never deleted: a retired product, policy or plan
-- (retired_at set) is offered for no new licence or subscription, and the
-- licences issued from it keep their terms. NULL: in use.
ALTER TABLE products ADD COLUMN retired_at BIGINT;
ALTER TABLE policies ADD COLUMN retired_at BIGINT;
ALTER TABLE plans ADD COLUMN retired_at BIGINT;
