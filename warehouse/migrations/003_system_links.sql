-- Near misses: pairs of systems whose records resemble each other but that were kept apart
-- (transforms/reconcile/links.py). The review app shows them on a system's page with a merge button.
CREATE TABLE IF NOT EXISTS system_links (
    system_id VARCHAR,
    other_id VARCHAR,
    source_key VARCHAR,          -- the record of system_id in the strongest link
    other_source_key VARCHAR,    -- the record of other_id in it
    match_probability DOUBLE,
    match_reason VARCHAR,
    why_apart VARCHAR,
    n_links BIGINT
);
