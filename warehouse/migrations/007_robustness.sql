-- Issue 15 part B: rows left out on purpose (other buyers' tenders) are counted per source, so
-- rows_in == rows_loaded + rows_quarantined + rows_filtered; and the run lock's history.
ALTER TABLE source_status ADD COLUMN IF NOT EXISTS rows_filtered BIGINT DEFAULT 0;
