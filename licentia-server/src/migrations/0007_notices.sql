-- Notices: subscriptions to notice kinds, the outbox of notifications the
-- jobs write, and one delivery per (notification, subscription) with its
-- attempts. The unique key of a notification (subject, kind, lead days, due
-- date) makes every job run, on any instance, write each notice once.

CREATE TABLE notice_subscriptions (
    id           TEXT PRIMARY KEY,
    -- JSON array of notice kinds.
    kinds        TEXT NOT NULL,
    webhook_url  TEXT,
    -- The webhook's signing secret: kept (not hashed), since signing needs it.
    secret       TEXT,
    email        TEXT,
    -- The role the subscription belongs to (its tokens may see and delete it).
    role         TEXT CHECK (role IN ('admin', 'issuer', 'finance', 'auditor')),
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    deleted_at   BIGINT,
    CHECK ((webhook_url IS NULL) <> (email IS NULL)),
    CHECK ((webhook_url IS NULL) = (secret IS NULL))
);

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    lead_days   BIGINT NOT NULL,
    -- The date announced (an end, an invoice, a deadline), YYYY-MM-DD.
    due_on      TEXT NOT NULL,
    -- The job's day that wrote it.
    run_date    TEXT NOT NULL,
    -- JSON object: what the notice is about.
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (subject, kind, lead_days, due_on)
);
CREATE INDEX notifications_created ON notifications (created_at);

CREATE TABLE notice_deliveries (
    id               TEXT PRIMARY KEY,
    notification_id  TEXT NOT NULL REFERENCES notifications (id),
    subscription_id  TEXT NOT NULL REFERENCES notice_subscriptions (id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    -- An instance's claim on the row while it delivers: the claim's id and
    -- when it lapses (a crashed instance's claim lapses; another takes over).
    claim            TEXT,
    claimed_until    BIGINT,
    last_status      BIGINT,
    last_error       TEXT,
    delivered_at     BIGINT,
    created_at       BIGINT NOT NULL,
    UNIQUE (notification_id, subscription_id)
);
CREATE INDEX notice_deliveries_due ON notice_deliveries (status, next_attempt_at);

CREATE TABLE notice_attempts (
    delivery_id      TEXT NOT NULL REFERENCES notice_deliveries (id),
    attempt          BIGINT NOT NULL,
    at               BIGINT NOT NULL,
    -- The HTTP status (webhooks) or SMTP reply code (e-mail), when one came.
    status_code      BIGINT,
    error            TEXT,
    -- When the next attempt is due, after a failure that is retried.
    next_attempt_at  BIGINT,
    PRIMARY KEY (delivery_id, attempt)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
