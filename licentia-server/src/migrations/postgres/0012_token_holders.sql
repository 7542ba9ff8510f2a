-- API tokens belong to an account or are named as a service, and their
-- role moves to a grant (0013); the roles wait in token_roles for 0013.
-- Tokens made before are services named as the tokens were.
CREATE TABLE token_roles (token_id TEXT PRIMARY KEY, role TEXT NOT NULL, created_at BIGINT NOT NULL, created_by TEXT NOT NULL);
INSERT INTO token_roles (token_id, role, created_at, created_by)
    SELECT id, role, created_at, created_by FROM api_tokens;

ALTER TABLE api_tokens ADD COLUMN account_id TEXT REFERENCES accounts (id);
ALTER TABLE api_tokens ADD COLUMN service TEXT;
UPDATE api_tokens SET service = name;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_holder CHECK ((account_id IS NULL) <> (service IS NULL));
ALTER TABLE api_tokens DROP COLUMN role;
