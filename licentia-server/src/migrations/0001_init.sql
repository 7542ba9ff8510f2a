-- licentia back office, schema v1 (SQLite and PostgreSQL: the SQL both accept).
-- Ids are text (random, prefixed); times are Unix seconds (BIGINT, UTC).
-- Every invariant the server relies on is a constraint here or an atomic
-- conditional statement in src/server/sql.rs.

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'issuer', 'finance', 'auditor')),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE signing_keys (
    key_id      TEXT PRIMARY KEY,
    public_pem  TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('active', 'trusted', 'retired')),
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT,
    -- The rollover statement, signed by the previous active key, endorsing this one.
    rollover    TEXT
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (state) WHERE state = 'active';

CREATE TABLE products (
    id                    TEXT PRIMARY KEY,
    code                  TEXT NOT NULL UNIQUE,
    name                  TEXT NOT NULL,
    created_at            BIGINT NOT NULL,
    -- Version of the product's revocation list; bumped in every revoking transaction.
    revocation_seq        BIGINT NOT NULL DEFAULT 0,
    revocation_updated_at BIGINT NOT NULL
);

CREATE TABLE policies (
    id                  TEXT PRIMARY KEY,
    product_id          TEXT NOT NULL REFERENCES products (id),
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('standard', 'trial')),
    binding             TEXT NOT NULL CHECK (binding IN ('unbound', 'node-locked', 'floating', 'named-user')),
    match_rule          TEXT NOT NULL,
    duration_days       BIGINT,
    seats               BIGINT NOT NULL CHECK (seats >= 1),
    grace_days          BIGINT,
    check_in_days       BIGINT,
    max_offline_days    BIGINT,
    entitlements        TEXT NOT NULL,
    temp_quota          BIGINT NOT NULL,
    temp_period_days    BIGINT NOT NULL,
    temp_duration_days  BIGINT NOT NULL,
    lease_ttl_secs      BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    UNIQUE (product_id, name)
);

-- partner -> customer -> site; seat allocations per node come with plans.
CREATE TABLE customers (
    id            TEXT PRIMARY KEY,
    parent_id     TEXT REFERENCES customers (id),
    kind          TEXT NOT NULL CHECK (kind IN ('partner', 'customer', 'site')),
    name          TEXT NOT NULL,
    email         TEXT,
    external_ref  TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX customers_parent ON customers (parent_id);

CREATE TABLE licenses (
    id           TEXT PRIMARY KEY,
    product_id   TEXT NOT NULL REFERENCES products (id),
    policy_id    TEXT NOT NULL REFERENCES policies (id),
    customer_id  TEXT REFERENCES customers (id),
    key_hash     TEXT NOT NULL UNIQUE,
    key_hint     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
    licensee     TEXT NOT NULL,
    -- The license specification (core spec::LicenseSpec, JSON) every file is made from.
    spec         TEXT NOT NULL,
    seats        BIGINT NOT NULL CHECK (seats >= 1),
    seats_used   BIGINT NOT NULL DEFAULT 0 CHECK (seats_used >= 0 AND seats_used <= seats),
    expires_at   BIGINT,
    file         TEXT,
    issued_at    BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    -- Bumped to take the row lock that serializes lease and quota counts.
    lock_version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX licenses_product ON licenses (product_id, status);
CREATE INDEX licenses_customer ON licenses (customer_id);
CREATE INDEX licenses_expires ON licenses (expires_at);

CREATE TABLE activations (
    id              TEXT PRIMARY KEY,
    license_id      TEXT NOT NULL REFERENCES licenses (id),
    fingerprint     TEXT NOT NULL,
    platform        TEXT NOT NULL,
    mode            TEXT NOT NULL CHECK (mode IN ('online', 'offline')),
    file            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    deactivated_at  BIGINT
);
CREATE UNIQUE INDEX activations_one_per_machine ON activations (license_id, fingerprint)
    WHERE deactivated_at IS NULL;

CREATE TABLE temporary_licenses (
    id           TEXT PRIMARY KEY,
    license_id   TEXT NOT NULL REFERENCES licenses (id),
    fingerprint  TEXT NOT NULL,
    file         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX temporary_licenses_license ON temporary_licenses (license_id, created_at);

CREATE TABLE leases (
    id           TEXT PRIMARY KEY,
    license_id   TEXT NOT NULL REFERENCES licenses (id),
    fingerprint  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    returned_at  BIGINT
);
CREATE INDEX leases_license ON leases (license_id, expires_at);

-- Requests that create (issue, activate, renew) and their first answer.
CREATE TABLE idempotency_keys (
    scope         TEXT PRIMARY KEY,
    request_hash  TEXT NOT NULL,
    status        BIGINT NOT NULL,
    response      TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Append-only, hash-chained history. history_head holds the chain's tip; every
-- append updates it first, which serializes appends across instances.
CREATE TABLE history (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    operation    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    license_id   TEXT,
    customer_id  TEXT,
    details      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX history_license ON history (license_id, seq);
CREATE INDEX history_customer ON history (customer_id, seq);

CREATE TABLE history_head (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO history_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
