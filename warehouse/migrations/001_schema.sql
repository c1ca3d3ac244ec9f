-- aigrip warehouse schema, version 1. Tables written whole by a stage are replaced on every run;
-- tables marked "kept" accumulate across runs.

CREATE TABLE IF NOT EXISTS runs (            -- kept
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    as_of DATE,
    status VARCHAR,
    summary_json VARCHAR
);

CREATE TABLE IF NOT EXISTS source_status (
    source_id VARCHAR PRIMARY KEY,
    type VARCHAR,
    rows_in BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    error VARCHAR,
    seconds DOUBLE,
    loaded_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS quarantine (
    source_id VARCHAR,
    row_ref VARCHAR,
    reason VARCHAR,
    raw_text VARCHAR
);

CREATE TABLE IF NOT EXISTS mentions (
    source_key VARCHAR PRIMARY KEY,
    source_id VARCHAR,
    source_type VARCHAR,
    org VARCHAR,
    title VARCHAR,
    description VARCHAR,
    vendor VARCHAR,
    vendor_norm VARCHAR,
    vendor_kvk VARCHAR,
    product VARCHAR,
    department VARCHAR,
    amount_eur DOUBLE,
    record_date DATE,
    url VARCHAR,
    cpv_codes VARCHAR[],
    raw_json VARCHAR
);

CREATE TABLE IF NOT EXISTS peer_snapshots (  -- kept
    snapshot_id VARCHAR PRIMARY KEY,
    source_id VARCHAR,
    fetched_at TIMESTAMP,
    content_hash VARCHAR,
    entries BIGINT,
    organisations BIGINT
);

CREATE TABLE IF NOT EXISTS peer_register_entries (
    entry_key VARCHAR,
    source_id VARCHAR,
    organisation VARCHAR,
    org_code VARCHAR,
    org_type VARCHAR,
    lars VARCHAR,
    name VARCHAR,
    description_short VARCHAR,
    goal VARCHAR,
    status VARCHAR,
    categories VARCHAR[],
    publication_category VARCHAR,
    provider VARCHAR,
    impact_assessments VARCHAR[],
    lawful_basis VARCHAR,
    begin_date VARCHAR,
    end_date VARCHAR,
    standard_version VARCHAR,
    url VARCHAR,
    snapshot_id VARCHAR,
    raw_json VARCHAR
);

CREATE TABLE IF NOT EXISTS peer_entry_history (  -- kept: every entry version ever seen, per snapshot
    entry_key VARCHAR,
    content_hash VARCHAR,
    first_snapshot_id VARCHAR,
    first_seen_at TIMESTAMP,
    organisation VARCHAR,
    org_code VARCHAR,
    name VARCHAR,
    PRIMARY KEY (entry_key, content_hash)
);

CREATE TABLE IF NOT EXISTS kb_products (
    product_id VARCHAR PRIMARY KEY,
    name VARCHAR,
    vendor VARCHAR,
    vendor_norm VARCHAR,
    names VARCHAR[],
    match_keys VARCHAR[],
    org_count INTEGER,
    organisations VARCHAR[],
    categories VARCHAR[],
    publication_categories VARCHAR[],
    impact_assessments VARCHAR[],
    entry_count INTEGER
);

CREATE TABLE IF NOT EXISTS dpia_records (
    source_id VARCHAR,
    row_ref VARCHAR,
    name VARCHAR,
    status VARCHAR,
    date DATE,
    outcome VARCHAR,
    link VARCHAR
);

CREATE TABLE IF NOT EXISTS signals (
    source_key VARCHAR,
    kind VARCHAR,
    detail VARCHAR,
    weight DOUBLE,
    reason VARCHAR
);

CREATE TABLE IF NOT EXISTS candidates (
    source_key VARCHAR PRIMARY KEY,
    ai_score DOUBLE,
    is_candidate BOOLEAN,
    reasons VARCHAR,
    kb_product_id VARCHAR
);

CREATE TABLE IF NOT EXISTS review_decisions (
    event_id VARCHAR PRIMARY KEY,
    "at" TIMESTAMP,
    reviewer VARCHAR,
    action VARCHAR,
    system_id VARCHAR,
    source_keys VARCHAR[],
    "into" VARCHAR,
    fields_json VARCHAR,
    reason VARCHAR,
    applied BOOLEAN,
    apply_note VARCHAR
);

CREATE TABLE IF NOT EXISTS system_ids (      -- kept: ids are assigned once and never reused
    system_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP,
    successor_id VARCHAR,
    retired_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS systems (
    system_id VARCHAR PRIMARY KEY,
    status VARCHAR,
    name VARCHAR,
    vendor VARCHAR,
    vendor_kvk VARCHAR,
    department VARCHAR,
    description VARCHAR,
    ai_score DOUBLE,
    kb_product_id VARCHAR,
    source_types VARCHAR[],
    n_sources INTEGER,
    first_seen DATE,
    last_seen DATE,
    conflicts VARCHAR,
    fields_json VARCHAR,
    defer_until DATE,
    decided_by VARCHAR,
    decided_at TIMESTAMP,
    decision_reason VARCHAR
);

CREATE TABLE IF NOT EXISTS provenance (
    system_id VARCHAR,
    source_key VARCHAR,
    match_probability DOUBLE,
    match_reason VARCHAR
);

CREATE TABLE IF NOT EXISTS classifications (
    system_id VARCHAR PRIMARY KEY,
    ai_act_class VARCHAR,
    ai_act_area VARCHAR,
    ai_act_rule VARCHAR,
    ai_act_reason VARCHAR,
    dpia_required BOOLEAN,
    dpia_rule VARCHAR,
    dpia_reason VARCHAR,
    iama_recommended BOOLEAN,
    iama_reason VARCHAR,
    publication_category VARCHAR,
    publication_reason VARCHAR,
    needs_review BOOLEAN,
    dpia_status VARCHAR,
    dpia_date DATE,
    dpia_link VARCHAR,
    dpia_match VARCHAR
);

CREATE TABLE IF NOT EXISTS register_entries (
    system_id VARCHAR PRIMARY KEY,
    entry_json VARCHAR,
    problems VARCHAR
);

CREATE TABLE IF NOT EXISTS inventory_snapshots (   -- kept: one set of rows per period
    period VARCHAR,
    system_id VARCHAR,
    status VARCHAR,
    name VARCHAR,
    department VARCHAR,
    ai_act_class VARCHAR,
    publication_category VARCHAR,
    dpia_required BOOLEAN,
    dpia_status VARCHAR,
    iama_recommended BOOLEAN,
    published BOOLEAN,
    taken_at TIMESTAMP,
    PRIMARY KEY (period, system_id)
);

CREATE TABLE IF NOT EXISTS kpis (                  -- kept: one set per period
    period VARCHAR,
    name VARCHAR,
    value DOUBLE,
    PRIMARY KEY (period, name)
);
