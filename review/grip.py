"""The path at a glance on the review app's start page: the same checklist as the report's first page."""

from __future__ import annotations

import duckdb

from transforms.monitor.checklist import Step, grip_checklist
from transforms.monitor.dutch import nl_period
from warehouse import table_exists

__all__ = ["latest_checklist"]


def latest_checklist(con: duckdb.DuckDBPyConnection) -> dict | None:
    """{period, period_nl, steps} for the latest period with figures in the snapshot, or None."""
    if not table_exists(con, "kpis"):
        return None
    rows = con.execute("SELECT period, name, value FROM kpis ORDER BY period").fetchall()
    if not rows:
        return None
    periods = sorted({r[0] for r in rows})
    latest = periods[-1]
    kpis = {name: value for period, name, value in rows if period == latest}
    steps: list[Step] = grip_checklist(kpis, periods)
    return {"period": latest, "period_nl": nl_period(latest), "steps": steps}
