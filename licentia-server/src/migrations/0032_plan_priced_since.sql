-- The day an unpriced plan was given its price: its subscriptions are
-- invoiced from then on, not for the periods it was free. NULL for every
-- plan so far (priced from its creation, or never).
ALTER TABLE plans ADD COLUMN priced_since TEXT;
