-- People: accounts (vendor staff, partner and customer admins) and their
-- sessions. E-mail addresses are unique whatever their case. The password
-- hash is an argon2id PHC string (NULL until an invitation is accepted);
-- the TOTP secret is sealed under the key-encryption key.
CREATE TABLE accounts (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    locale         TEXT NOT NULL DEFAULT 'en' CHECK (locale IN ('fr', 'de', 'en')),
    password_hash  TEXT,
    totp_secret    TEXT,
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    locked_until   BIGINT,
    created_at     BIGINT NOT NULL,
    created_by     TEXT NOT NULL,
    disabled_at    BIGINT
);
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));

-- A session: its id and CSRF token are kept as SHA-256 hashes only. It
-- ends at `expires_at` (absolute), after an idle gap (`last_seen_at` plus
-- the configured idle time), or at logout (`ended_at`).
CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    csrf_hash     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    ended_at      BIGINT
);
CREATE INDEX sessions_account ON sessions (account_id);
