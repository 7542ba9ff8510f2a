-- Seats of a product held by a node of the customer tree. `given` is the sum
-- of the children's allocations of the same product. The node's own seats in
-- use (active activations of licenses naming the node) plus `given` never
-- exceed `seats`; src/server/sql.rs keeps that with row locks taken on this
-- table, child before parent.
CREATE TABLE allocations (
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    product_id   TEXT NOT NULL REFERENCES products (id),
    seats        BIGINT NOT NULL CHECK (seats >= 0),
    given        BIGINT NOT NULL DEFAULT 0 CHECK (given >= 0 AND given <= seats),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (customer_id, product_id)
);
