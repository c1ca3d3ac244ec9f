-- The register's publication step (transforms/publish/states.py): every version an entry has had,
-- and per system its publication state (concept, vrijgegeven, gepubliceerd, gedepubliceerd) with the
-- version that is live on the public site meanwhile.
CREATE TABLE IF NOT EXISTS register_versions (   -- kept across runs: the content of each version
    system_id VARCHAR,
    version INTEGER,
    entry_hash VARCHAR,
    entry_json VARCHAR,
    first_seen TIMESTAMP
);

CREATE TABLE IF NOT EXISTS register_states (
    system_id VARCHAR PRIMARY KEY,
    state VARCHAR,
    version INTEGER,
    draft_hash VARCHAR,
    released_hash VARCHAR,
    released_by VARCHAR,
    released_at TIMESTAMP,
    published_hash VARCHAR,
    published_version INTEGER,
    published_by VARCHAR,
    published_at TIMESTAMP,
    published_entry_json VARCHAR,
    withdrawn_reason VARCHAR,
    withdrawn_by VARCHAR,
    withdrawn_at TIMESTAMP,
    note VARCHAR
);

ALTER TABLE register_entries ADD COLUMN IF NOT EXISTS entry_hash VARCHAR;

-- Which system a decision that names source records (not a system id) meant when it was first
-- replayed; kept across runs so a later merge or split does not move a published entry.
CREATE TABLE IF NOT EXISTS register_event_systems (
    event_id VARCHAR PRIMARY KEY,
    system_id VARCHAR
);
