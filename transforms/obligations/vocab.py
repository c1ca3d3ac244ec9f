"""Words shared by the obligations stage, the decision log and the review app: the statuses a
reviewer can give a requirement or measure and an assessment, and the decision actions and fields
that record them (docs/contracts.md §13: edits of requirements, measures, DPIA/IAMA/FRIA status and review
dates are decisions in the append-only log)."""

from __future__ import annotations

import datetime as dt

__all__ = [
    "REQUIREMENT_STATUSES", "ASSESSMENT_KINDS", "ASSESSMENT_STATUSES", "OBLIGATION_ACTIONS", "OBLIGATION_FIELDS",
    "check_obligation_fields",
]

REQUIREMENT_STATUSES: tuple[str, ...] = ("niet gestart", "bezig", "gedaan", "niet van toepassing")
ASSESSMENT_KINDS: tuple[str, ...] = ("DPIA", "IAMA", "FRIA")
ASSESSMENT_STATUSES: tuple[str, ...] = ("niet gestart", "gepland", "bezig", "afgerond", "niet nodig")
# action -> the `fields` keys it accepts
OBLIGATION_FIELDS: dict[str, frozenset[str]] = {
    "requirement": frozenset({"item", "status", "owner", "evidence", "date"}),
    "assessment": frozenset({"assessment", "status", "date", "link"}),
    "review": frozenset({"reviewed_on", "next_review"}),
}
OBLIGATION_ACTIONS: tuple[str, ...] = tuple(OBLIGATION_FIELDS)


def check_obligation_fields(action: str, fields: dict | None, reason: str | None) -> str | None:
    """The problem with the fields of a requirement/assessment/review decision, or None."""
    fields = fields or {}
    for key in ("date", "reviewed_on", "next_review"):
        if fields.get(key) is not None:
            try:
                dt.date.fromisoformat(str(fields[key]))
            except ValueError:
                return f"'{key}' must be a date as YYYY-MM-DD, got {fields[key]!r}"
    if action == "requirement":
        if not fields.get("item"):
            return "fields.item (the requirement or measure, e.g. aia-01 or org-01) is required for action 'requirement'"
        status = fields.get("status")
        if status is not None and status not in REQUIREMENT_STATUSES:
            return f"status must be one of {', '.join(REQUIREMENT_STATUSES)}"
        if status == "niet van toepassing" and not reason:
            return "a reason is required when a requirement is 'niet van toepassing'"
    elif action == "assessment":
        if fields.get("assessment") not in ASSESSMENT_KINDS:
            return f"fields.assessment must be one of {', '.join(ASSESSMENT_KINDS)}"
        status = fields.get("status")
        if status is not None and status not in ASSESSMENT_STATUSES:
            return f"status must be one of {', '.join(ASSESSMENT_STATUSES)}"
        if status == "niet nodig" and not reason:
            return "a reason is required when an assessment is 'niet nodig'"
    return None
