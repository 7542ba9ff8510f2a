-- Single-use, expiring links mailed to people: an invitation to set a first
-- password, or a password reset. Only the SHA-256 of the link's token is
-- kept; using it stamps used_at, once.
CREATE TABLE account_links (
    token_hash  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_links_account ON account_links (account_id);
