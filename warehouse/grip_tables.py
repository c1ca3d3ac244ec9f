"""Reading the grip tables of obligations, requirements, assessments and periodic reviews.

Those tables are built by the obligations stage (``transforms/obligations/``, migration 010). In a
warehouse without them (an older one, or a run that stopped before the obligations stage) every
reader here returns ``None`` and the report and the checklist say plainly that the figures are not
available. This is the one place that knows their shape (``_COLUMNS``); the readers rename columns
to the words the report uses.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from warehouse.db import fetch_df, table_exists

__all__ = ["obligations_due", "assessment_coverage", "overdue_reviews", "requirements_progress", "moved_deadlines",
           "GRIP_TABLES"]

# table -> columns the readers use (system_id joins to systems for the name and department)
_COLUMNS = {
    "obligations": ("system_id", "duty", "legal_source", "deadline", "date_confirmed"),
    "assessments": ("system_id", "assessment", "required", "status"),
    "reviews": ("system_id", "next_review"),
    "requirements": ("system_id", "item_id", "item_kind", "status"),
    "deadline_moves": ("system_id", "duty", "old_deadline", "new_deadline", "moved_on"),
}
GRIP_TABLES = tuple(_COLUMNS)
_DONE = ("gedaan", "afgerond", "uitgevoerd", "vastgesteld", "done", "completed")


def _usable(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    if not table_exists(con, table):
        return False
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
    return set(_COLUMNS[table]) <= have


def obligations_due(con: duckdb.DuckDBPyConnection, as_of: dt.date, months: int = 6) -> pd.DataFrame | None:
    """Obligations of active systems with a deadline from ``as_of`` up to ``months`` ahead, soonest first."""
    if not _usable(con, "obligations"):
        return None
    return fetch_df(con,
        """SELECT o.system_id, s.name, s.department, o.duty AS obligation, o.legal_source, o.deadline, o.date_confirmed
           FROM obligations o JOIN systems s USING (system_id)
           WHERE s.status IN ('candidate', 'confirmed') AND o.deadline >= ? AND o.deadline < ? + to_months(?)
           ORDER BY o.deadline, o.system_id""", [as_of, as_of, months])


def assessment_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """Per kind (DPIA, IAMA, FRIA): confirmed systems that require it and how many have it done."""
    if not _usable(con, "assessments"):
        return None
    return fetch_df(con,
        f"""SELECT upper(a.assessment) AS kind, count(*) FILTER (WHERE a.required) AS required,
                   count(*) FILTER (WHERE a.required AND lower(a.status) IN {_DONE}) AS done
            FROM assessments a JOIN systems s USING (system_id) WHERE s.status = 'confirmed'
            GROUP BY 1 ORDER BY 1""")


def overdue_reviews(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame | None:
    """Confirmed systems whose next periodic review date has passed."""
    if not _usable(con, "reviews"):
        return None
    return fetch_df(con,
        """SELECT r.system_id, s.name, s.department, r.next_review, date_diff('day', r.next_review, ?) AS days_overdue
           FROM reviews r JOIN systems s USING (system_id)
           WHERE s.status = 'confirmed' AND r.next_review < ? ORDER BY r.next_review""", [as_of, as_of])


def requirements_progress(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """Algoritmekader requirements of confirmed systems per status."""
    if not _usable(con, "requirements"):
        return None
    return fetch_df(con,
        """SELECT coalesce(r.status, 'niet gestart') AS status, count(*) AS n
           FROM requirements r JOIN systems s USING (system_id)
           WHERE s.status = 'confirmed' AND r.item_kind = 'vereiste'
           GROUP BY 1 ORDER BY 2 DESC""")


def moved_deadlines(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame | None:
    """Deadlines that moved in [start, end] (a date in the obligations data changed)."""
    if not _usable(con, "deadline_moves"):
        return None
    return fetch_df(con,
        """SELECT d.system_id, s.name, d.duty AS obligation, d.old_deadline, d.new_deadline
           FROM deadline_moves d LEFT JOIN systems s USING (system_id)
           WHERE d.moved_on BETWEEN ? AND ? ORDER BY d.new_deadline""", [start, end])
