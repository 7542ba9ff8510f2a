-- API tokens may carry an expiry (Unix seconds); NULL: none.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
