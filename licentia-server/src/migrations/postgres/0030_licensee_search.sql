
-- The console's licence search by a part of the licensee's name, in any
-- case (`LOWER(licensee) LIKE '%...%'`), reads a trigram index instead of
-- every licence. Creating pg_trgm takes a privilege or a package the
-- server may not have: then the search goes on reading the table, and the
-- migration still passes.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX licenses_licensee_trgm ON licenses USING gin (LOWER(licensee) gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'no trigram index for the licensee search (%)', SQLERRM;
END
$$;
