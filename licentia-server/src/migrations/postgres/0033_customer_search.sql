
-- The console's search of the customer tree by a part of a node's name,
-- in any case (`LOWER(name) LIKE '%...%'`), reads a trigram index
-- instead of every node (as 0030 does for licensees; without pg_trgm the
-- search reads the table, and the migration still passes).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX customers_name_trgm ON customers USING gin (LOWER(name) gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'no trigram index for the customer search (%)', SQLERRM;
END
$$;
