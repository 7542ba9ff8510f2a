-- API tokens belong to an account or are named as a service, and their
-- role moves to a grant (0013). SQLite cannot drop a CHECKed column: the
-- table is rebuilt, and the roles wait in token_roles for 0013. Tokens
-- made before are services named as the tokens were.
CREATE TABLE token_roles (token_id TEXT PRIMARY KEY, role TEXT NOT NULL, created_at BIGINT NOT NULL, created_by TEXT NOT NULL);
INSERT INTO token_roles (token_id, role, created_at, created_by)
    SELECT id, role, created_at, created_by FROM api_tokens;

CREATE TABLE api_tokens_v2 (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  BIGINT,
    expires_at  BIGINT,
    account_id  TEXT REFERENCES accounts (id),
    service     TEXT,
    CHECK ((account_id IS NULL) <> (service IS NULL))
);
INSERT INTO api_tokens_v2 (id, name, token_hash, created_at, created_by, revoked_at, expires_at, account_id, service)
    SELECT id, name, token_hash, created_at, created_by, revoked_at, expires_at, NULL, name FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_v2 RENAME TO api_tokens;
