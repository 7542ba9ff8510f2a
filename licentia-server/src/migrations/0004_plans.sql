-- A plan (Essential, Business, Enterprise...) bundles a product, a policy and
-- add-on options; `options` is a JSON array of {code, name, entitlements}.
CREATE TABLE plans (
    id          TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL REFERENCES products (id),
    policy_id   TEXT NOT NULL REFERENCES policies (id),
    name        TEXT NOT NULL,
    options     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (product_id, name)
);
