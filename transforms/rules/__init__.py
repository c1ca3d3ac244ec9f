"""Classification rules as YAML data, each with its legal source: ai_act.yaml (EU AI Act classes and
dates after the Digital Omnibus), dpia.yaml (GDPR art. 35, AP list, EDPB criteria), register.yaml
(IAMA advice and register publication category). Loaded by :mod:`transforms.classify.rulebook`."""
