"""The obligations section of a system's page: duties and deadlines, Algoritmekader requirements
and measures (editable), DPIA/IAMA/FRIA (editable) and the periodic review (a review decision).
Reads the snapshot; every change is a decision in the log (actions requirement, assessment, review)."""

from __future__ import annotations

import datetime as dt

import duckdb

from transforms.classify.rulebook import dutch_date
from transforms.obligations.vocab import (
    ASSESSMENT_KINDS,
    ASSESSMENT_STATUSES,
    OBLIGATION_ACTIONS,
    REQUIREMENT_STATUSES,
)
from warehouse import table_exists

__all__ = ["obligation_detail", "obligation_fields", "datum", "OBLIGATION_ACTIONS", "REQUIREMENT_STATUSES",
           "ASSESSMENT_KINDS", "ASSESSMENT_STATUSES"]


def datum(value: object) -> str:
    """A date as Dutch text ("6 december 2026"); '—' when empty."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    return dutch_date(value)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def obligation_detail(con: duckdb.DuckDBPyConnection, system_id: str) -> dict | None:
    """Everything of the obligations stage for one system, or None when the snapshot predates it."""
    if not table_exists(con, "obligations"):
        return None
    obligations = _rows(con, "SELECT * FROM obligations WHERE system_id = ? ORDER BY deadline NULLS LAST, obligation_id",
                        [system_id])
    items = _rows(con, "SELECT * FROM requirements WHERE system_id = ? ORDER BY item_kind DESC, slug", [system_id])
    requirements = [dict(i, measures=[]) for i in items if i["item_kind"] == "vereiste"]
    by_slug = {r["slug"]: r for r in requirements}
    for m in (i for i in items if i["item_kind"] == "maatregel"):
        for slug in (m.get("serves") or "").split(", "):
            if slug in by_slug:
                by_slug[slug]["measures"].append(m)
    counts = {s: sum(1 for i in items if i["status"] == s) for s in REQUIREMENT_STATUSES}
    settled = counts["gedaan"] + counts["niet van toepassing"]
    assessments = _rows(con, "SELECT * FROM assessments WHERE system_id = ? ORDER BY assessment", [system_id])
    review = _rows(con, "SELECT * FROM reviews WHERE system_id = ?", [system_id])
    return {
        "obligations": obligations, "requirements": requirements, "assessments": assessments,
        "review": review[0] if review else None,
        "progress": {"total": len(items), "counts": counts, "settled": settled,
                     "percent": round(100 * settled / len(items)) if items else None},
    }


def obligation_fields(action: str, form) -> tuple[dict, str | None]:
    """The decision fields and reason of a posted requirement / assessment / review form."""
    def get(key: str) -> str | None:
        value = (form.get(key) or "").strip()
        return value or None

    if action == "requirement":
        fields = {"item": get("item"), "status": get("status"), "owner": get("owner"), "evidence": get("evidence"),
                  "date": get("date")}
    elif action == "assessment":
        fields = {"assessment": get("assessment"), "status": get("status"), "date": get("date"), "link": get("link")}
    elif action == "review":
        fields = {"reviewed_on": get("reviewed_on") or dt.date.today().isoformat(), "next_review": get("next_review")}
    else:
        fields = {}
    return {k: v for k, v in fields.items() if v is not None}, get("reason")
