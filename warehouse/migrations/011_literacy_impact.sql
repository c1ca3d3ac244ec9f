-- AI literacy (training register and headcount sources) and the impact rank of each system.
-- People appear only as keyed pseudonyms (transforms.privacy.pseudonyms.person_key): names and
-- e-mail addresses from an LMS export are never stored.

CREATE TABLE IF NOT EXISTS training_records (
    source_id VARCHAR,
    row_ref VARCHAR,
    person_key VARCHAR,          -- HMAC pseudonym of the employee id (or e-mail, or name)
    department VARCHAR,
    role VARCHAR,
    course VARCHAR,
    completed_on DATE,           -- NULL: enrolled, not completed
    completed BOOLEAN
);

CREATE TABLE IF NOT EXISTS headcount (
    source_id VARCHAR,
    row_ref VARCHAR,
    department VARCHAR,
    role VARCHAR,                -- NULL: the whole department
    headcount INTEGER,
    must_train BOOLEAN
);

CREATE TABLE IF NOT EXISTS system_impact (
    system_id VARCHAR PRIMARY KEY,
    impact_score DOUBLE,
    impact_rank INTEGER,
    impact_reason VARCHAR,
    citizen_facing BOOLEAN,
    yearly_spend_eur DOUBLE,
    n_sources INTEGER,
    n_departments INTEGER
);
