-- Detection's kind guess per candidate (transforms/detect/kind.py): 'ai' (infers from data: learning,
-- recognition, language generation) or 'algorithm' (rules and calculations written by people), with
-- its Dutch reason. Reviewers see it beside the reasons; the confirm's "AI system or algorithm
-- without AI" starts from it.
ALTER TABLE candidates ADD COLUMN IF NOT EXISTS kind VARCHAR;
ALTER TABLE candidates ADD COLUMN IF NOT EXISTS kind_reason VARCHAR;
