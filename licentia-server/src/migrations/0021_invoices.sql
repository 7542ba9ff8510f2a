-- Prices (see server::billing::Price): a plan's price per seat per month
-- with its currency and tax rate, and a product's price per allocated
-- seat per month (what the vendor bills the top nodes of the customer
-- tree for the seats it allocates them), each a JSON object
-- {currency, amount, tax_rate_bp}; NULL: not priced, not invoiced. An
-- option's price lives in the plan's `options` JSON, in the plan's
-- currency.
ALTER TABLE plans ADD COLUMN price TEXT;
ALTER TABLE products ADD COLUMN allocation_price TEXT;

-- The invoices the nightly job writes: one per subject (a subscription,
-- or a customer node for its allocated seats) per billing period, never
-- two: UNIQUE (subject, period_start) makes a second run, or a racing
-- instance, write nothing more. Amounts are integers in the currency's
-- minor unit; `lines` is a JSON array of {description, kind, quantity,
-- item, quantity, unit_amount, months, amount}. licentia takes no payment: `status` is
-- due, paid or void, as staff record it.
CREATE TABLE invoices (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    subject          TEXT NOT NULL,
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    subscription_id  TEXT REFERENCES subscriptions (id),
    period_start     TEXT NOT NULL,
    period_end       TEXT NOT NULL,
    currency         TEXT NOT NULL,
    lines            TEXT NOT NULL,
    net              BIGINT NOT NULL,
    tax_rate_bp      BIGINT NOT NULL,
    tax              BIGINT NOT NULL,
    total            BIGINT NOT NULL,
    status           TEXT NOT NULL,
    settled_at       BIGINT,
    settled_note     TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CONSTRAINT invoices_once_per_period UNIQUE (subject, period_start)
);
CREATE INDEX invoices_customer ON invoices (customer_id, period_start);
CREATE INDEX invoices_status ON invoices (status, period_start);

-- A mid-period change of an invoiced period (seats raised or cut),
-- prorated by days: charged or credited on the subscription's next
-- invoice, which sets `invoice_id` in its own transaction.
CREATE TABLE invoice_adjustments (
    id               TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL REFERENCES subscriptions (id),
    changed_on       TEXT NOT NULL,
    description      TEXT NOT NULL,
    quantity         BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    amount           BIGINT NOT NULL,
    invoice_id       TEXT REFERENCES invoices (id),
    created_at       BIGINT NOT NULL
);
CREATE INDEX invoice_adjustments_open ON invoice_adjustments (subscription_id, invoice_id);
