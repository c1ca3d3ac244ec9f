-- Obligations stage (transforms/obligations, asset group "obligations"); columns in docs/architecture.md.
-- Per system and duty: legal source, applies-from date, deadline, whether the date is confirmed, reason.
CREATE TABLE IF NOT EXISTS obligations (
    system_id VARCHAR, obligation_id VARCHAR, duty VARCHAR, legal_source VARCHAR, applies_from DATE,
    deadline DATE, date_key VARCHAR, date_value DATE, date_confirmed BOOLEAN, date_source VARCHAR,
    reason VARCHAR, requirement_id VARCHAR, status VARCHAR, status_reason VARCHAR
);
-- Append-only: deadlines that moved between runs (a changed date in the rules, or changed facts).
CREATE TABLE IF NOT EXISTS deadline_moves (
    moved_on DATE, system_id VARCHAR, obligation_id VARCHAR, duty VARCHAR, old_deadline DATE,
    new_deadline DATE, date_key VARCHAR, reason VARCHAR
);
-- Per system and applicable Algoritmekader requirement (vereiste) or measure (maatregel).
CREATE TABLE IF NOT EXISTS requirements (
    system_id VARCHAR, item_id VARCHAR, item_kind VARCHAR, slug VARCHAR, title VARCHAR, url VARCHAR,
    serves VARCHAR, applicable_reason VARCHAR, status VARCHAR, owner VARCHAR, evidence_link VARCHAR,
    status_date DATE, status_reason VARCHAR, decided_by VARCHAR, decided_at TIMESTAMP
);
-- Per system and kind DPIA / IAMA / FRIA.
CREATE TABLE IF NOT EXISTS assessments (
    system_id VARCHAR, assessment VARCHAR, required BOOLEAN, required_reason VARCHAR, status VARCHAR,
    status_source VARCHAR, assessment_date DATE, link VARCHAR, flag_missing BOOLEAN, flag_outdated BOOLEAN,
    flags VARCHAR
);
-- Per confirmed system: the periodic review.
CREATE TABLE IF NOT EXISTS reviews (
    system_id VARCHAR, risk_group VARCHAR, interval_months INTEGER, last_review DATE, last_reviewer VARCHAR,
    next_review DATE, overdue BOOLEAN, days_overdue INTEGER, reason VARCHAR
);
