-- Each product's typed-answer secret (activation by telephone): 32 random
-- bytes sealed under the key-encryption key, bound to the product's id.
-- Made when first asked for; rotation replaces it.
CREATE TABLE typed_secrets (
    product_id  TEXT PRIMARY KEY REFERENCES products (id),
    sealed      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
