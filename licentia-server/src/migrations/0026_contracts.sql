-- Contracts (Octopus, HARMONY): suppliers and contract types are the
-- vendor's records; a renewal contract with a supplier is held by a node
-- at the top of the customer tree (as a purchase's buyer), has a notice
-- period (NoticePeriod text, e.g. "3 months before term end") and covers
-- purchase lots (purchases.contract_id). A re-billing to a client other
-- than the lot's buyer opens a billing follow-up item (open, then done).
CREATE TABLE suppliers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);
CREATE TABLE contract_types (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);
CREATE TABLE contracts (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT NOT NULL REFERENCES customers (id),
    supplier_id       TEXT NOT NULL REFERENCES suppliers (id),
    contract_type_id  TEXT NOT NULL REFERENCES contract_types (id),
    reference         TEXT NOT NULL,
    starts_on         TEXT NOT NULL,
    ends_on           TEXT NOT NULL,
    cost_minor        BIGINT,
    currency          TEXT,
    po_number         TEXT,
    invoice_number    TEXT,
    notice_period     TEXT,
    created_at        BIGINT NOT NULL,
    UNIQUE (supplier_id, reference)
);
CREATE INDEX contracts_ends ON contracts (ends_on);
CREATE INDEX contracts_customer ON contracts (customer_id);
ALTER TABLE purchases ADD COLUMN contract_id TEXT REFERENCES contracts (id);
CREATE TABLE follow_ups (
    id            TEXT PRIMARY KEY,
    rebilling_id  TEXT NOT NULL UNIQUE REFERENCES rebillings (id),
    purchase_id   TEXT NOT NULL REFERENCES purchases (id),
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    client_id     TEXT NOT NULL REFERENCES customers (id),
    status        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    closed_at     BIGINT,
    closed_by     TEXT
);
CREATE INDEX follow_ups_customer ON follow_ups (customer_id, status);
