
-- The licence search by a part of the licensee's name reads its holders
-- from a narrow copy of each licence's (id, licensee, issue time): the
-- trigram index's candidates are checked and put in the list's order
-- there, and only a page of them is read from the licences. 0030's index
-- on the licences themselves read every holder's whole row to check and
-- sort it (some 4,000 rows for four digits at ten million licences, most
-- not in memory). SQLite's licensee_search (0030, FTS5) stays as it is.
-- Without pg_trgm the search reads this table whole, not the licences.
CREATE TABLE licensee_search (
    license_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    issued BIGINT NOT NULL
);
INSERT INTO licensee_search (license_id, name, issued)
    SELECT id, licensee, issued_at FROM licenses;

-- A licensee and its issue time are set at issue; a change of either is
-- followed all the same.
CREATE FUNCTION licensee_searched() RETURNS trigger AS $$
BEGIN
    INSERT INTO licensee_search (license_id, name, issued)
    VALUES (NEW.id, NEW.licensee, NEW.issued_at)
    ON CONFLICT (license_id) DO UPDATE SET name = excluded.name, issued = excluded.issued;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER licensee_searched AFTER INSERT OR UPDATE OF licensee, issued_at ON licenses
    FOR EACH ROW EXECUTE FUNCTION licensee_searched();

-- The licences' own index goes only where its statistics stay: the
-- planner's estimate of how many licensees hold a part (whether walking
-- the list's order finds a page soon, for a word every name holds) came
-- from the statistics ANALYZE keeps of an index's expression. Without
-- them it guessed a few hundred of ten million and read the whole table.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX licensee_search_trgm ON licensee_search USING gin (LOWER(name) gin_trgm_ops);
    CREATE STATISTICS licenses_licensee_lower ON (LOWER(licensee)) FROM licenses;
    DROP INDEX IF EXISTS licenses_licensee_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'no trigram index for the licensee search (%)', SQLERRM;
END
$$;
ANALYZE licenses;
ANALYZE licensee_search;
