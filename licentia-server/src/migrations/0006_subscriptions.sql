-- A customer's subscription to a plan. Dates are calendar dates
-- ('YYYY-MM-DD') in `zone`; terms and invoices are counted in months from
-- `start_date` (see server::billing), so the row keeps those offsets, and
-- the current term's days for queries. `version` makes every update
-- conditional: a term renews once however many callers race.
CREATE TABLE subscriptions (
    id                  TEXT PRIMARY KEY,
    customer_id         TEXT NOT NULL REFERENCES customers (id),
    plan_id             TEXT NOT NULL REFERENCES plans (id),
    product_id          TEXT NOT NULL REFERENCES products (id),
    seats               BIGINT NOT NULL,
    options             TEXT NOT NULL,
    zone                TEXT NOT NULL,
    start_date          TEXT NOT NULL,
    billing             TEXT NOT NULL,
    term_from_month     BIGINT NOT NULL,
    term_start          TEXT NOT NULL,
    term_end            TEXT NOT NULL,
    billing_interval    TEXT NOT NULL,
    invoices_from_month BIGINT NOT NULL,
    pending             TEXT,
    renewal             TEXT NOT NULL,
    notice              TEXT NOT NULL,
    status              TEXT NOT NULL,
    ends_on             TEXT,
    license_ids         TEXT NOT NULL,
    version             BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id);
CREATE INDEX subscriptions_term_end ON subscriptions (status, term_end);
