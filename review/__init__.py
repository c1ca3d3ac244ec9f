"""The reviewers' workflow: queue and decisions (``review.queue``), the web app (``review.app``).

Reads only the published snapshot; writes only to the decision log (``warehouse.decision_log``).
"""
