-- Personal data (issue 15, docs/security.md "Personal data").
-- How much personal data was redacted per source and kind on the last run of that source.
CREATE TABLE IF NOT EXISTS redactions (
    source_id VARCHAR,
    kind VARCHAR,
    n BIGINT,
    counted_at TIMESTAMP
);
-- When a quarantined row was first seen, so that its raw text can be dropped after the retention period
-- (privacy.quarantine_retention_days, default 90). Rows from before this migration count from now.
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS quarantined_at TIMESTAMP DEFAULT current_timestamp;
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS raw_text_dropped_at TIMESTAMP;
-- Erasures applied (tombstones from the decision log): what was removed, never who.
CREATE TABLE IF NOT EXISTS erasures (
    event_id VARCHAR,
    source_id VARCHAR,
    rows_removed BIGINT,
    applied_at TIMESTAMP
);
