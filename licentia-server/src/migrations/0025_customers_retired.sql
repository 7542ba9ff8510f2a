-- Nodes of the customer tree are never deleted: a retired node (retired_at
-- set) takes no new licence, member, subscription, purchase, child or
-- raise of an allocation, and what it holds runs on until it ends. NULL:
-- in use.
ALTER TABLE customers ADD COLUMN retired_at BIGINT;
