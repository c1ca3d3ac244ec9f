"""Periodic review: per confirmed system the interval (by risk), the last review, the next review
date and whether it is overdue, with the reason. A ``review`` decision resets the clock; an edit
of ``next_review`` (or a review decision with ``next_review``) sets the date by hand."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from dateutil.relativedelta import relativedelta

from transforms.classify.rulebook import dutch_date
from transforms.obligations.decisions import as_date as _date
from transforms.obligations.decisions import latest_per_key

__all__ = ["REVIEW_COLUMNS", "DEFAULT_INTERVALS", "risk_group", "system_reviews"]

REVIEW_COLUMNS = ["system_id", "risk_group", "interval_months", "last_review", "last_reviewer", "next_review",
                  "overdue", "days_overdue", "reason"]
DEFAULT_INTERVALS = {"high_risk": 6, "impactful": 12, "other": 24}
_GROUP_LABEL = {"high_risk": "hoog risico", "impactful": "impactvol", "other": "overig"}


def risk_group(ai_act_class: object, publication_category: object) -> str:
    if ai_act_class in ("high_risk", "prohibited") or publication_category == "Hoog-risico AI-systeem":
        return "high_risk"
    if publication_category == "Impactvolle algoritmes":
        return "impactful"
    return "other"


def system_reviews(systems: pd.DataFrame, classifications: pd.DataFrame, events: pd.DataFrame | None,
                   as_of: dt.date, intervals: dict[str, int] | None = None) -> pd.DataFrame:
    """One row per confirmed system (REVIEW_COLUMNS)."""
    intervals = {**DEFAULT_INTERVALS, **(intervals or {})}
    if systems is None or systems.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    live = systems[systems["status"] == "confirmed"]
    cols = [c for c in ("system_id", "fields_json", "decided_at", "first_seen") if c in live.columns]
    facts = live[cols].merge(classifications[[c for c in ("system_id", "ai_act_class", "publication_category")
                                              if c in classifications.columns]], on="system_id", how="left")
    state = latest_per_key(events, "review", None) if events is not None and len(events) else pd.DataFrame()
    last = {r["system_id"]: r for r in state.to_dict("records")} if len(state) else {}
    rows = []
    for f in facts.to_dict("records"):
        group = risk_group(f.get("ai_act_class"), f.get("publication_category"))
        months = int(intervals[group])
        edits = json.loads(f["fields_json"]) if isinstance(f.get("fields_json"), str) and f["fields_json"] else {}
        r = last.get(f["system_id"])
        reviewed = _date((r or {}).get("reviewed_on")) or _date((r or {}).get("_at")) if r else None
        label = f"{_GROUP_LABEL[group]}: elke {months} maanden"
        if r and r.get("next_review"):
            nxt, why = _date(r["next_review"]), f"datum gezet bij de herbeoordeling door {r.get('_reviewer')}"
        elif reviewed:
            nxt, why = reviewed + relativedelta(months=months), f"laatste herbeoordeling {dutch_date(reviewed)} ({label})"
        elif edits.get("next_review"):
            nxt, why = _date(edits["next_review"]), "datum ingevuld door een beoordelaar"
        else:
            base = _date(f.get("decided_at")) or _date(f.get("first_seen")) or as_of
            nxt = base + relativedelta(months=months)
            why = f"nog niet herbeoordeeld; gerekend vanaf de bevestiging op {dutch_date(base)} ({label})"
        overdue = nxt is not None and nxt < as_of
        rows.append({"system_id": f["system_id"], "risk_group": group, "interval_months": months,
                     "last_review": reviewed, "last_reviewer": (r or {}).get("_reviewer") if reviewed else None,
                     "next_review": nxt, "overdue": overdue, "days_overdue": (as_of - nxt).days if overdue else 0,
                     "reason": ("Te laat: " if overdue else "Volgende herbeoordeling: ") + why + "."})
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)
