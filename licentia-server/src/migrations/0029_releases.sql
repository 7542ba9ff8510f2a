-- Releases of a product (issue 16): version, date, channel, notes and
-- download address. A release catalogue signed from them tells the
-- product in the field which versions a licence's maintenance covers.
-- `version_key` is the version's canonical form (3.1.0 and 3.1 are one
-- release), unique per product.
CREATE TABLE releases (
    id            TEXT PRIMARY KEY,
    product_id    TEXT NOT NULL REFERENCES products (id),
    version       TEXT NOT NULL,
    version_key   TEXT NOT NULL,
    released_at   BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    notes         TEXT NOT NULL,
    download_url  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (product_id, version_key)
);
