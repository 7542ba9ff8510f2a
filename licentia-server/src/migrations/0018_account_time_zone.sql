-- The time zone a person reads dates in (IANA name, e.g. Europe/Paris).
ALTER TABLE accounts ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
