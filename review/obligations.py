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
from warehouse.db import fetch_df

__all__ = ["obligations_overview", "obligation_detail", "obligation_fields", "form_problem", "datum", "OBLIGATION_ACTIONS", "REQUIREMENT_STATUSES",
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


def form_problem(action: str, fields: dict, reason: str | None) -> str | None:
    """A Dutch message for the mistakes a reviewer can make in these forms, or None."""
    for key in ("date", "reviewed_on", "next_review"):
        if fields.get(key):
            try:
                dt.date.fromisoformat(fields[key])
            except ValueError:
                return f"de datum '{fields[key]}' is geen geldige datum (JJJJ-MM-DD)"
    if action == "requirement" and fields.get("status") == "niet van toepassing" and not reason:
        return "geef een toelichting als een vereiste of maatregel niet van toepassing is"
    if action == "assessment" and fields.get("status") == "niet nodig" and not reason:
        return f"geef een toelichting als een {fields.get('assessment') or 'toets'} niet nodig is"
    if action == "review" and fields.get("reviewed_on", "") > dt.date.today().isoformat():
        return "de datum van de herbeoordeling ligt in de toekomst"
    return None


def obligations_overview(con: duckdb.DuckDBPyConnection, today: dt.date, horizon_days: int = 90) -> dict | None:
    """The organisation's to-do list: overdue reviews, deadlines within the horizon (and overdue),
    assessment flags, requirement progress per department and in total, recently moved deadlines."""
    if not table_exists(con, "obligations"):
        return None
    import pandas as pd

    from transforms.obligations.requirements import requirement_progress

    limit = today + dt.timedelta(days=horizon_days)
    reviews = _rows(con, """SELECT r.*, s.name, s.department FROM reviews r JOIN systems s USING (system_id)
                            WHERE r.overdue ORDER BY r.next_review, r.system_id""", [])
    deadlines = _rows(con, """SELECT o.*, s.name, s.department FROM obligations o JOIN systems s USING (system_id)
                              WHERE o.status <> 'gedaan' AND o.deadline IS NOT NULL AND o.deadline <= ?
                              ORDER BY o.deadline, o.system_id, o.obligation_id""", [limit])
    flags = _rows(con, """SELECT a.*, s.name, s.department FROM assessments a JOIN systems s USING (system_id)
                          WHERE a.flags IS NOT NULL ORDER BY a.flag_missing DESC, s.name, a.assessment""", [])
    moves = _rows(con, "SELECT m.*, s.name FROM deadline_moves m LEFT JOIN systems s USING (system_id) "
                       "ORDER BY m.moved_on DESC, m.system_id LIMIT 50", [])
    req = fetch_df(con, "SELECT system_id, status FROM requirements")
    systems = fetch_df(con, "SELECT system_id, department FROM systems")
    per_dept = requirement_progress(req, systems, "department") if len(req) else pd.DataFrame()
    total = requirement_progress(req, systems, None) if len(req) else pd.DataFrame()

    def records(df):
        return [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()} for r in df.to_dict("records")]

    return {"reviews": reviews, "deadlines": deadlines, "flags": flags, "moves": moves,
            "progress": records(per_dept), "total": records(total)[0] if len(total) else None,
            "horizon_days": horizon_days, "today": today}
