"""The review app's page on drift against the national register (table ``register_drift``)."""

from __future__ import annotations

import duckdb

from transforms.publish.drift import drift_summary
from warehouse.db import fetch_df

__all__ = ["drift_context"]


def drift_context(con: duckdb.DuckDBPyConnection) -> dict:
    """Template context: the summary per kind, and whether the national register was loaded at all."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "register_drift" not in tables:
        return {"drift": None, "register_loaded": False}
    loaded = "peer_register_entries" in tables and bool(
        con.execute("SELECT count(*) FROM peer_register_entries").fetchone()[0])
    return {"drift": drift_summary(fetch_df(con, "SELECT * FROM register_drift")), "register_loaded": loaded}
