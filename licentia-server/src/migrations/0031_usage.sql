-- Usage metering: a policy's meters (NAME=QUOTA/PERIOD, JSON list, signed
-- into each licence), what each licence consumed per meter and period, and
-- the last offline usage report accepted per licence and machine.
ALTER TABLE policies ADD COLUMN meters TEXT NOT NULL DEFAULT '[]';

-- One row per licence, meter and period. `used` only grows, by a
-- conditional update (`used + amount <= quota`), so concurrent batches on
-- any instance never count past the quota.
CREATE TABLE usage_counters (
    license_id   TEXT NOT NULL REFERENCES licenses (id),
    meter        TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    period_end   BIGINT,
    quota        BIGINT NOT NULL,
    used         BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (license_id, meter, period_start)
);
CREATE INDEX usage_counters_period ON usage_counters (period_start, license_id);

-- The highest counter accepted from each machine: a report is accepted
-- only above it, so none is counted twice.
CREATE TABLE usage_report_heads (
    license_id  TEXT NOT NULL REFERENCES licenses (id),
    fingerprint TEXT NOT NULL,
    counter     BIGINT NOT NULL,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (license_id, fingerprint)
);
