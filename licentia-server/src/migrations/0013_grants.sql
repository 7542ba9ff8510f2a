-- A role held at a node of the customer tree (customer_id; NULL: the
-- vendor root), by an account or by a token (one grant per token). It
-- reaches the node and everything below it. A grant may carry delegated
-- subscription management rights (a partner's to a customer admin):
-- raise and/or lower seats, of monthly subscriptions only or of all, and
-- change the renewal option (flags are 0 or 1).
CREATE TABLE grants (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT REFERENCES accounts (id),
    token_id            TEXT REFERENCES api_tokens (id),
    customer_id         TEXT REFERENCES customers (id),
    role                TEXT NOT NULL CHECK (role IN ('admin', 'issuer', 'finance', 'auditor', 'member-manager')),
    may_raise_seats     BIGINT NOT NULL DEFAULT 0 CHECK (may_raise_seats IN (0, 1)),
    may_lower_seats     BIGINT NOT NULL DEFAULT 0 CHECK (may_lower_seats IN (0, 1)),
    monthly_only        BIGINT NOT NULL DEFAULT 0 CHECK (monthly_only IN (0, 1)),
    may_change_renewal  BIGINT NOT NULL DEFAULT 0 CHECK (may_change_renewal IN (0, 1)),
    created_at          BIGINT NOT NULL,
    created_by          TEXT NOT NULL,
    revoked_at          BIGINT,
    CHECK ((account_id IS NULL) <> (token_id IS NULL))
);
CREATE INDEX grants_account ON grants (account_id);
CREATE UNIQUE INDEX grants_token ON grants (token_id);
CREATE INDEX grants_customer ON grants (customer_id);

-- Every token made before becomes a vendor-root grant with its role.
INSERT INTO grants (id, account_id, token_id, customer_id, role, created_at, created_by)
    SELECT 'grt_' || token_id, NULL, token_id, NULL, role, created_at, created_by FROM token_roles;
DROP TABLE token_roles;

-- A notice subscription belongs at the node of the grant that made it
-- (NULL: the vendor root); only notices within its subtree reach it.
ALTER TABLE notice_subscriptions ADD COLUMN customer_id TEXT REFERENCES customers (id);
