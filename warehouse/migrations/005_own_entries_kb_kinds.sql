-- Our own published entries in the loaded national register (transforms/knowledge/own_entries.py),
-- and the knowledge base's upper level: kinds of system for one purpose (transforms/knowledge/kinds.py).
CREATE TABLE IF NOT EXISTS own_register_entries (
    entry_key VARCHAR,             -- peer_register_entries.entry_key (<source id>:<LARS>)
    source_id VARCHAR,
    lars VARCHAR,                  -- the register's 8-character id; NULL in exports without it
    organisation VARCHAR,          -- as the register writes it
    org_code VARCHAR,              -- gm-code or the register's organisation code
    name VARCHAR,
    description_short VARCHAR,
    status VARCHAR,
    publication_category VARCHAR,
    standard_version VARCHAR,
    url VARCHAR,
    content_hash VARCHAR,          -- transforms.publish.peers.content_hash: changes when the entry changes
    snapshot_id VARCHAR,
    matched_by VARCHAR,            -- 'org_code' or 'naam'
    reason VARCHAR                 -- Dutch: why this entry is ours
);

CREATE TABLE IF NOT EXISTS kb_kinds (
    kind_id VARCHAR,               -- KIND- + 8 hex, stable for the same leading terms
    name VARCHAR,                  -- representative registered name
    terms VARCHAR[],               -- leading purpose terms (stems) of the kind
    names VARCHAR[],               -- registered names, most common first
    products VARCHAR[],            -- product names of this kind (KB products with a named product)
    product_ids VARCHAR[],
    org_count INTEGER,
    organisations VARCHAR[],
    entry_count INTEGER
);

ALTER TABLE kb_products ADD COLUMN IF NOT EXISTS kind_id VARCHAR;
ALTER TABLE kb_products ADD COLUMN IF NOT EXISTS kind_name VARCHAR;
