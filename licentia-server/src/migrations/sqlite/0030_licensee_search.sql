
-- The console's licence search by a part of the licensee's name reads a
-- trigram index (FTS5, any case) over the licences' licensees instead of
-- every licence; the list still applies its exact condition to what the
-- index finds. Kept by triggers: licensees are set at issue (and a
-- change of one is followed all the same).
CREATE VIRTUAL TABLE licensee_search USING fts5(
    licensee, content = 'licenses', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO licensee_search (licensee_search) VALUES ('rebuild');

CREATE TRIGGER licensee_searched AFTER INSERT ON licenses BEGIN
    INSERT INTO licensee_search (rowid, licensee) VALUES (NEW.rowid, NEW.licensee);
END;

CREATE TRIGGER licensee_researched AFTER UPDATE OF licensee ON licenses BEGIN
    INSERT INTO licensee_search (licensee_search, rowid, licensee)
        VALUES ('delete', OLD.rowid, OLD.licensee);
    INSERT INTO licensee_search (rowid, licensee) VALUES (NEW.rowid, NEW.licensee);
END;
