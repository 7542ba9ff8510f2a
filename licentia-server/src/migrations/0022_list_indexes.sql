-- Every list pages by its sort key from an index (a cursor: "the rows after
-- this one"), and every filter the API offers has an index that holds the
-- filtered rows in the list's order: a page costs the same at ten million
-- rows as at ten. An index that a longer one now starts with goes.

-- Licences: issued_at, id; by customer, product, status; a key's hint.
CREATE INDEX licenses_issued ON licenses (issued_at, id);
DROP INDEX licenses_customer;
CREATE INDEX licenses_customer_issued ON licenses (customer_id, issued_at, id);
CREATE INDEX licenses_product_issued ON licenses (product_id, issued_at, id);
CREATE INDEX licenses_status_issued ON licenses (status, issued_at, id);
CREATE INDEX licenses_key_hint ON licenses (key_hint);

-- History: seq; by subject (a subscription's), actor (an account's) and
-- operation; by licence and customer the first migration's indexes serve.
CREATE INDEX history_subject ON history (subject, seq);
CREATE INDEX history_actor ON history (actor, seq);
CREATE INDEX history_operation ON history (operation, seq);

-- A licence's activations and leases in their order, which also give its
-- first use (the activation-delay report) from the index's first entry.
CREATE INDEX activations_license_created ON activations (license_id, created_at, id);
CREATE INDEX activations_created ON activations (created_at);
CREATE INDEX leases_license_created ON leases (license_id, created_at, id);

-- Customers: name, id; under a parent; of a kind.
CREATE INDEX customers_name ON customers (name, id);
DROP INDEX customers_parent;
CREATE INDEX customers_parent_name ON customers (parent_id, name, id);
CREATE INDEX customers_kind_name ON customers (kind, name, id);

-- A node's members by name.
CREATE INDEX members_customer_name ON members (customer_id, name, id);

-- Subscriptions: term_end, id; by customer, plan, status.
CREATE INDEX subscriptions_term ON subscriptions (term_end, id);
DROP INDEX subscriptions_customer;
CREATE INDEX subscriptions_customer_term ON subscriptions (customer_id, term_end, id);
CREATE INDEX subscriptions_plan_term ON subscriptions (plan_id, term_end, id);
DROP INDEX subscriptions_term_end;
CREATE INDEX subscriptions_status_term ON subscriptions (status, term_end, id);
-- The renewals report's last day: the day a cancelled one ends, or its term's.
CREATE INDEX subscriptions_last_day ON subscriptions (COALESCE(ends_on, term_end));

-- Notifications, newest first; by kind and by subject.
DROP INDEX notifications_created;
CREATE INDEX notifications_created_id ON notifications (created_at, id);
CREATE INDEX notifications_kind_created ON notifications (kind, created_at, id);
CREATE INDEX notifications_subject_created ON notifications (subject, created_at, id);

-- Purchases, newest first; by customer and by product.
CREATE INDEX purchases_created ON purchases (created_at, id);
DROP INDEX purchases_customer;
CREATE INDEX purchases_customer_created ON purchases (customer_id, created_at, id);
CREATE INDEX purchases_product_created ON purchases (product_id, created_at, id);

-- Accounts by e-mail address.
CREATE INDEX accounts_email_id ON accounts (email, id);
