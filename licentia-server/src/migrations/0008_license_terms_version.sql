-- Grows with every change of a license's terms (renewal, entitlements,
-- options, a subscription's term): a change computed from the license as
-- read at one version is written only if it is still at that version, so
-- two changes made at once never silently overwrite each other.
ALTER TABLE licenses ADD COLUMN terms_version BIGINT NOT NULL DEFAULT 0;
