-- Commerce: purchases (lots bought, and the customers they were re-billed
-- to) and members (named users of a customer node, each holding at most one
-- service: a license from a plan).

-- A lot bought by a node at the top of the customer tree. Recording it
-- raises the buyer's allocation of the product by `quantity` in the same
-- transaction. `rebilled` is the sum of the lot's re-billings; the
-- conditional update that grows it keeps it within the lot.
CREATE TABLE purchases (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    product_id      TEXT NOT NULL REFERENCES products (id),
    quantity        BIGINT NOT NULL CHECK (quantity > 0),
    rebilled        BIGINT NOT NULL DEFAULT 0 CHECK (rebilled >= 0 AND rebilled <= quantity),
    serial          TEXT,
    version         TEXT,
    purchased_on    TEXT NOT NULL,
    renews_on       TEXT,
    -- Cost in the currency's minor units (cents...), never a float.
    cost_minor      BIGINT CHECK (cost_minor >= 0),
    currency        TEXT,
    po_number       TEXT,
    invoice_number  TEXT,
    notes           TEXT,
    created_at      BIGINT NOT NULL,
    UNIQUE (product_id, serial)
);
CREATE INDEX purchases_customer ON purchases (customer_id, product_id);

-- Part of a lot billed on to a customer. Billing only: seats move by
-- allocation, not by re-billing.
CREATE TABLE rebillings (
    id              TEXT PRIMARY KEY,
    purchase_id     TEXT NOT NULL REFERENCES purchases (id),
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    quantity        BIGINT NOT NULL CHECK (quantity > 0),
    invoice_number  TEXT,
    notes           TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX rebillings_purchase ON rebillings (purchase_id, created_at);

-- A named user of a customer node. `license_id` is its service (NULL when
-- none): a license of `plan_id` with the `options` chosen (a JSON array of
-- option codes). An assigned service holds one seat of the node's
-- allocation, however many machines use it.
CREATE TABLE members (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    external_ref  TEXT,
    plan_id       TEXT REFERENCES plans (id),
    options       TEXT NOT NULL DEFAULT '[]',
    license_id    TEXT REFERENCES licenses (id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (customer_id, email)
);
CREATE UNIQUE INDEX members_license ON members (license_id);

-- The plan a node's new members get their service from.
CREATE TABLE default_plans (
    customer_id  TEXT PRIMARY KEY REFERENCES customers (id),
    plan_id      TEXT NOT NULL REFERENCES plans (id),
    updated_at   BIGINT NOT NULL
);
