-- The last system each source record belonged to, kept across runs, so a source that fails in one
-- run and returns in a later one finds its systems (and their ids) again.
CREATE TABLE IF NOT EXISTS source_key_history (     -- kept
    source_key VARCHAR PRIMARY KEY,
    system_id VARCHAR,
    last_seen_at TIMESTAMP
);
