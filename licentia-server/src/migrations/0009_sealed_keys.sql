-- Secrets at rest (SQLite and PostgreSQL: the SQL both accept).
-- The signing keys' private halves move into the database, sealed under the
-- operator's key-encryption key; NULL for a key whose PEM file in
-- data_dir/keys has not been sealed in yet (the next start does it).
ALTER TABLE signing_keys ADD COLUMN sealed_key TEXT;
-- Stored answers were sealed under the caller's Idempotency-Key; they are now
-- sealed under a key derived from the KEK. The old ones, kept a few days for
-- retries, could not be opened any more.
DELETE FROM idempotency_keys;
