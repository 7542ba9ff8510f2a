-- TOTP enrolment: a secret waits sealed in totp_pending until a code from it
-- is confirmed; totp_last_step is the last time step a code was used at,
-- so no code is accepted twice.
ALTER TABLE accounts ADD COLUMN totp_pending TEXT;
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT;
