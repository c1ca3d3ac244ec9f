"""obligations: per system the legal duties and their deadlines (duties), the Algoritmekader
requirements and measures with their status (requirements), DPIA/IAMA/FRIA as a workflow
(assessments), the periodic review (reviews) and the reviewers' digest (digest). Import the
submodules directly; this package imports nothing so that the decision log can use its vocabulary."""
