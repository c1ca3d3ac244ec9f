"""Building the monitoring report for a period from warehouse or snapshot tables (assets and CLI)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.config import AigripConfig
from pipelines.publishing import org_info, write_files
from transforms.errors import AigripError, WarehouseError
from transforms.monitor.changes import period_changes
from transforms.monitor.checklist import grip_checklist
from transforms.monitor.literacy import LiteracyFigures, literacy_figures
from transforms.monitor.report import ReportFiles, ReportInput, attention_list, render_report
from warehouse import grip_tables, read_table
from warehouse.db import fetch_df, table_exists
from warehouse.monitor_queries import literacy_inputs

__all__ = ["build_report", "write_report", "peer_news", "peer_comparison", "available_periods", "period_end",
           "literacy_for"]


def available_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT period FROM kpis ORDER BY period").fetchall()]


def period_end(period: str) -> dt.date:
    """'2026-11' → 30 November 2026 (the reference date of a period's report)."""
    return (pd.Timestamp(f"{period}-01") + pd.offsets.MonthEnd(0)).date()


def peer_news(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Peer entries first seen in each source's latest snapshot, when there was an earlier one."""
    return fetch_df(con,
        """
        WITH ranked AS (
            SELECT source_id, snapshot_id, row_number() OVER (PARTITION BY source_id ORDER BY fetched_at DESC) AS rn
            FROM peer_snapshots)
        SELECT h.organisation, h.org_code, h.name, h.first_seen_at
        FROM peer_entry_history h JOIN ranked r ON h.first_snapshot_id = r.snapshot_id AND r.rn = 1
        WHERE EXISTS (SELECT 1 FROM ranked r2 WHERE r2.source_id = r.source_id AND r2.rn = 2)
        ORDER BY h.organisation, h.name
        """
    )


def peer_comparison(con: duckdb.DuckDBPyConnection, config: AigripConfig, peers: list[str] | None = None) -> dict:
    """Our register against the chosen peers and similar municipalities (transforms.publish.comparison)."""
    from pipelines.publishing import published_entries
    from transforms.knowledge.organisations import load_inhabitants, org_code_for
    from transforms.publish.comparison import compare_with_peers

    products = fetch_df(con, "SELECT system_id, name, vendor, kb_product_id, status FROM systems "
                           "WHERE status IN ('candidate', 'confirmed')")
    sizes = load_inhabitants(config.publish.inhabitants_file) if config.publish.inhabitants_file else {}
    peer_entries = fetch_df(con, "SELECT * FROM peer_register_entries")
    result = compare_with_peers([e for _, e in published_entries(con)], products, peer_entries,
                                fetch_df(con, "SELECT * FROM kb_products"),
                                peers=tuple(org_code_for(p, p) for p in (peers or config.publish.peers)),
                                our_org_code=config.organisation.code,
                                our_inhabitants=config.organisation.inhabitants, sizes=sizes,
                                own_entries=fetch_df(con, "SELECT * FROM own_register_entries"))
    names = peer_entries.dropna(subset=["org_code"]).drop_duplicates("org_code")
    result["names"] = dict(zip(names["org_code"], names["organisation"]))
    return result


def _drift(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The drift against the national register for the report (None when no register is loaded)."""
    from pipelines.register_state import table_columns
    from transforms.publish.drift import drift_summary

    if not table_columns(con, "register_drift") or not con.execute(
            "SELECT count(*) FROM peer_register_entries").fetchone()[0]:
        return None
    return drift_summary(fetch_df(con, "SELECT * FROM register_drift"))


def literacy_for(con: duckdb.DuckDBPyConnection, config: AigripConfig, as_of: dt.date) -> LiteracyFigures:
    """AI-literacy figures from the training register and headcount (or the config's headcount)."""
    from transforms.monitor.literacy import headcount_from_config

    settings = config.literacy
    training, headcount, departments = literacy_inputs(con)
    if headcount.empty and settings.headcount:
        headcount = headcount_from_config(settings.headcount)
    return literacy_figures(training, headcount, departments, as_of=as_of, courses=settings.courses,
                            required_roles=settings.required_roles)


def _impact(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if table_exists(con, "system_impact"):
        return read_table(con, "system_impact")
    return pd.DataFrame(columns=["system_id", "impact_score", "impact_rank", "impact_reason"])


def _as_of(con: duckdb.DuckDBPyConnection, period: str) -> dt.date:
    """The reference date of the last run for ``period``; else the period's end (not after today)."""
    row = con.execute("SELECT max(as_of) FROM runs WHERE strftime(as_of, '%Y-%m') = ?", [period]).fetchall()
    return row[0][0] if row and row[0][0] else min(period_end(period), dt.date.today())


def build_report(con: duckdb.DuckDBPyConnection, config: AigripConfig, period: str, *, pdf: bool = True,
                 as_of: dt.date | None = None) -> ReportFiles:
    """Render the report of ``period`` from stored kpis and the inventory snapshots (as of the run's date)."""
    history = read_table(con, "kpis")
    this = history[history["period"] == period]
    if this.empty:
        known = ", ".join(available_periods(con)) or "none yet"
        raise WarehouseError(f"no monitoring figures for period {period} (periods: {known}); run 'aigrip run --as-of {period}-01'")
    kpis = dict(zip(this["name"], this["value"]))
    periods = sorted(p for p in history["period"].unique() if p <= period)
    earlier = [p for p in periods if p < period]
    previous = dict(zip(*history[history["period"] == earlier[-1]][["name", "value"]].T.values)) if earlier else {}
    inventory = read_table(con, "inventory_snapshots", "period = ?", [period])
    before = read_table(con, "inventory_snapshots", "period = ?", [earlier[-1]]) if earlier else None
    as_of = as_of or _as_of(con, period)
    start = dt.date.fromisoformat(f"{period}-01")
    inp = ReportInput(
        org=org_info(config), period=period, kpis=kpis, previous=previous, history=history[history["period"] <= period],
        checklist=grip_checklist(kpis, periods), changes=period_changes(inventory, before),
        attention=attention_list(inventory, _impact(con)), literacy=literacy_for(con, config, as_of),
        sources=fetch_df(con, "SELECT * FROM source_status ORDER BY source_id"),
        comparison=peer_comparison(con, config), peer_news=peer_news(con), drift=_drift(con),
        obligations_due=grip_tables.obligations_due(con, as_of), assessments=grip_tables.assessment_coverage(con),
        overdue_reviews=grip_tables.overdue_reviews(con, as_of), requirements=grip_tables.requirements_progress(con),
        moved_deadlines=grip_tables.moved_deadlines(con, start, period_end(period)),
    )
    return render_report(inp, pdf=pdf)


def write_report(con: duckdb.DuckDBPyConnection, config: AigripConfig, period: str, as_of: dt.date | None = None) -> Path:
    """Write reports/<period>/; when the PDF cannot be made the rest is written and AigripError says why."""
    out = config.data_dir / "reports" / period
    files = build_report(con, config, period, as_of=as_of)
    write_files(files.files(), out)
    if files.pdf_error:
        raise AigripError(f"{files.pdf_error}; the HTML report is at {out / 'report.html'}")
    return out / "report.html"
