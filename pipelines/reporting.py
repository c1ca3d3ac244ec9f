"""Building the monitoring report for a period from warehouse or snapshot tables (assets and CLI)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipelines.config import AigripConfig
from pipelines.publishing import org_info, write_files
from transforms.errors import WarehouseError
from transforms.monitor.report import ReportFiles, render_report
from warehouse import read_table

__all__ = ["build_report", "write_report", "peer_news", "peer_comparison", "available_periods"]


def available_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT period FROM kpis ORDER BY period").fetchall()]


def peer_news(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Peer entries first seen in each source's latest snapshot, when there was an earlier one."""
    return con.execute(
        """
        WITH ranked AS (
            SELECT source_id, snapshot_id, row_number() OVER (PARTITION BY source_id ORDER BY fetched_at DESC) AS rn
            FROM peer_snapshots)
        SELECT h.organisation, h.org_code, h.name, h.first_seen_at
        FROM peer_entry_history h JOIN ranked r ON h.first_snapshot_id = r.snapshot_id AND r.rn = 1
        WHERE EXISTS (SELECT 1 FROM ranked r2 WHERE r2.source_id = r.source_id AND r2.rn = 2)
        ORDER BY h.organisation, h.name
        """
    ).df()


def peer_comparison(con: duckdb.DuckDBPyConnection, config: AigripConfig, peers: list[str] | None = None) -> dict:
    """Our register against the chosen peers and similar municipalities (transforms.publish.comparison)."""
    from pipelines.publishing import published_entries
    from transforms.knowledge.organisations import load_inhabitants, org_code_for
    from transforms.publish.comparison import compare_with_peers

    products = con.execute("SELECT system_id, name, vendor, kb_product_id, status FROM systems "
                           "WHERE status IN ('candidate', 'confirmed')").df()
    sizes = load_inhabitants(config.publish.inhabitants_file) if config.publish.inhabitants_file else {}
    return compare_with_peers([e for _, e in published_entries(con)], products,
                              con.execute("SELECT * FROM peer_register_entries").df(),
                              con.execute("SELECT * FROM kb_products").df(),
                              peers=tuple(org_code_for(p, p) for p in (peers or config.publish.peers)),
                              our_org_code=config.organisation.code,
                              our_inhabitants=config.organisation.inhabitants, sizes=sizes,
                              own_entries=con.execute("SELECT * FROM own_register_entries").df())


def build_report(con: duckdb.DuckDBPyConnection, config: AigripConfig, period: str) -> ReportFiles:
    """Render the report of ``period`` from stored kpis and the inventory snapshot of that period."""
    history = read_table(con, "kpis")
    this = history[history["period"] == period]
    if this.empty:
        known = ", ".join(available_periods(con)) or "none yet"
        raise WarehouseError(f"no monitoring figures for period {period} (periods: {known}); run 'aigrip run --as-of {period}-01'")
    kpis = dict(zip(this["name"], this["value"]))
    earlier = sorted(p for p in history["period"].unique() if p < period)
    previous = dict(zip(*history[history["period"] == earlier[-1]][["name", "value"]].T.values)) if earlier else {}
    inventory = read_table(con, "inventory_snapshots", "period = ?", [period])
    sources = con.execute("SELECT * FROM source_status ORDER BY source_id").df()
    return render_report(org=org_info(config), period=period, kpis=kpis, previous=previous,
                         history=history[history["period"] <= period], inventory=inventory, sources=sources,
                         peer_news=peer_news(con), comparison=peer_comparison(con, config), drift=_drift(con))


def _drift(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The drift against the national register for the report (None when no register is loaded)."""
    from pipelines.register_state import table_columns
    from transforms.publish.drift import drift_summary

    if not table_columns(con, "register_drift") or not con.execute(
            "SELECT count(*) FROM peer_register_entries").fetchone()[0]:
        return None
    return drift_summary(con.execute("SELECT * FROM register_drift").df())


def write_report(con: duckdb.DuckDBPyConnection, config: AigripConfig, period: str) -> Path:
    out = config.data_dir / "reports" / period
    write_files(build_report(con, config, period).files(), out)
    return out / "report.html"


